import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, UserError } from '../engine/sys/index.js';
import { IpamStore } from '../engine/network/ipam.js';
import { formatIp, parseIp, parseSubnet } from '../engine/network/ipv4.js';
import { NetworkStore } from '../engine/network/store.js';

const run = promisify(execFile);
let dir: string;
// The bundle must sit inside the project so that `koffi` resolves from node_modules.
const bundleDir = join(process.cwd(), 'node_modules', '.cache', `boxlab-network-test-${process.pid}`);
const child = join(bundleDir, 'ipam-child.mjs');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'boxlab-ipam-'));
  mkdirSync(bundleDir, { recursive: true });
  await build({
    input: join(process.cwd(), 'test', 'network-ipam-child.ts'),
    platform: 'node',
    external: [/^[^./]/],
    output: { file: child, format: 'esm' },
    logLevel: 'silent',
  });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(bundleDir, { recursive: true, force: true });
});

describe('IPAM bitmap', () => {
  it('reserves network and gateway, hands out the lowest free address, never the broadcast', () => {
    const ipam = new IpamStore(join(dir, 'unit'));
    const c = parseSubnet('10.1.0.0/29');
    ipam.init(c, parseIp('10.1.0.1')!);
    expect(ipam.read(c)).toBe('11');
    const got = Array.from({ length: 5 }, () => formatIp(ipam.allocate(c, undefined, 'n')));
    expect(got).toEqual(['10.1.0.2', '10.1.0.3', '10.1.0.4', '10.1.0.5', '10.1.0.6']);
    expect(() => ipam.allocate(c, undefined, 'n')).toThrow(UserError);
    ipam.release(c, parseIp('10.1.0.4')!);
    expect(readFileSync(ipam.fileFor(c), 'utf8')).toBe('1111011\n');
    expect(formatIp(ipam.allocate(c, undefined, 'n'))).toBe('10.1.0.4');
    expect(() => ipam.allocate(c, parseIp('10.1.0.3'), 'n')).toThrow(ConflictError);
    expect(() => ipam.allocate(c, parseIp('10.1.0.7'), 'n')).toThrow(/not a usable address/);
    expect(() => ipam.allocate(c, parseIp('10.2.0.3'), 'n')).toThrow(/not a usable address/);
  });

  it('a gateway elsewhere than .1 is reserved where it is', () => {
    const ipam = new IpamStore(join(dir, 'gw'));
    const c = parseSubnet('10.2.0.0/24');
    ipam.init(c, parseIp('10.2.0.254')!);
    expect(ipam.read(c)).toMatch(/^1(0+)1$/);
    expect(formatIp(ipam.allocate(c, undefined, 'n'))).toBe('10.2.0.1');
  });

  it('4 processes × 50 parallel allocations under the file lock get 200 distinct addresses', async () => {
    const stateDir = join(dir, 'race');
    const store = new NetworkStore(stateDir);
    const c = parseSubnet('10.3.0.0/16');
    store.ipam.init(c, parseIp('10.3.0.1')!);
    const start = join(dir, 'go');
    const children = Array.from({ length: 4 }, () => run(process.execPath, [child, stateDir, '10.3.0.0/16', '50', start]));
    await new Promise((r) => setTimeout(r, 300)); // let every child load and wait at the barrier
    writeFileSync(start, '');
    const results = (await Promise.all(children)).map((r) => JSON.parse(r.stdout) as string[]);
    const all = results.flat();
    expect(all).toHaveLength(200);
    expect(new Set(all).size).toBe(200);
    // exactly .2 … .201 taken: nothing lost, nothing doubled
    expect(store.ipam.read(c)).toBe('1'.repeat(202));
    for (const ip of all) store.tx(() => store.ipam.release(c, parseIp(ip)!));
    expect(store.ipam.read(c)).toBe('11');
  });
});
