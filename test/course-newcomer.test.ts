import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { portsColumn } from '../cli/commands/containers.js';
import { ipForwardCheck } from '../engine/doctor/network.js';
import { CLI } from './helpers/daemon.js';

// What a newcomer meets first: a typo'd command, the PORTS column, doctor's word on ip_forward.
describe('the newcomer path', () => {
  it('an unknown command word (a mistyped pull) says "unknown command", also with arguments after it', async () => {
    for (const args of [['pul', 'alpine'], ['frobnicate']]) {
      const r = await execa(process.execPath, [CLI, ...args], { reject: false });
      expect(r.exitCode).not.toBe(0);
      expect(String(r.stderr)).toMatch(new RegExp(`unknown command "${args[0]}"`));
      expect(String(r.stderr)).not.toMatch(/too many arguments/);
    }
  });

  it('PORTS reads like docker: host address and port -> container port/protocol', () => {
    expect(portsColumn({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] })).toBe('0.0.0.0:8080->80/tcp');
    expect(portsColumn({ '80/tcp': [{ HostIp: '', HostPort: '8080' }], '53/udp': null })).toBe('0.0.0.0:8080->80/tcp, 53/udp');
    expect(portsColumn(undefined)).toBe('');
  });

  it('doctor does not ask for a permanent ip_forward sysctl: boxlabd turns forwarding on itself', () => {
    const off = ipForwardCheck(false);
    expect(off.status).toBe('ok');
    expect(off.detail).toMatch(/boxlabd sets it to 1 when it makes its first bridge/);
    expect(off).not.toHaveProperty('fix');
  });
});
