/**
 * Pull of a 5-layer image (5 × 8 MB, half random, half text) from Debian's docker-registry on 127.0.0.1, beside
 * `skopeo copy` of the same image from the same registry into an OCI layout, in the same run; medians.
 * boxlab's pull does more than skopeo's copy: it also decompresses and extracts every layer into the store
 * (the figure with extraction is what `run` needs); skopeo only writes the compressed blobs.
 *
 *   npm run build && node dist/bench/pull.js [iterations]
 */
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageStore, goArch, type OciImageConfig } from '../engine/images/index.js';
import { pullImage, pushImage } from '../engine/registry/index.js';

const N = Number(process.argv[2] ?? 5);
/** bash's `times` format: 0m0.123s */
const seconds = (t: string): number => { const m = /^(\d+)m([\d.]+)s$/.exec(t); return m ? Number(m[1]) * 60 + Number(m[2]) : 0; };
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'boxlab-bench-pull-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  writeFileSync(join(work, 'config.yml'), `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(work, 'storage')}\nhttp:\n  addr: ${host}\n`);
  const registry = spawn('docker-registry', ['serve', join(work, 'config.yml')], { stdio: 'ignore' });
  try {
    for (let i = 0; ; i++) {
      if (await fetch(`http://${host}/v2/`).then(() => true, () => false)) break;
      if (i > 200) throw new Error('docker-registry did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    // the image: five layers made on a throwaway store, pushed once
    const seed = new ImageStore(join(work, 'seed'));
    const diffIDs: string[] = [];
    for (let l = 0; l < 5; l++) {
      const dir = join(work, `layer${l}`);
      mkdirSync(dir);
      writeFileSync(join(dir, `random-${l}.bin`), randomBytes(4 << 20));
      writeFileSync(join(dir, `text-${l}.txt`), Array.from({ length: 120_000 }, (_, k) => `line ${k} of layer ${l}\n`).join('').slice(0, 4 << 20));
      diffIDs.push(await seed.layerFromDir(dir));
    }
    const config: OciImageConfig = { architecture: goArch(), os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: diffIDs }, history: diffIDs.map(() => ({ created_by: 'bench' })) };
    const name = `${host}/bench/five:1`;
    seed.addImage(config, [name]);
    const t0 = performance.now();
    await pushImage(seed, name);
    const pushMs = performance.now() - t0;

    const boxlab: number[] = [];
    const skopeo: number[] = [];
    const boxlabCpu: number[] = [];
    const skopeoCpu: number[] = [];
    for (let i = 0; i < N; i++) {
      const root = join(work, `pull${i}`);
      const a = performance.now();
      const cpu = process.cpuUsage();
      await pullImage(new ImageStore(root), name);
      boxlab.push(performance.now() - a);
      const used = process.cpuUsage(cpu);
      boxlabCpu.push((used.user + used.system) / 1000);
      rmSync(root, { recursive: true, force: true });
      const out = join(work, `oci${i}`);
      const b = performance.now();
      // bash's `times` prints the children's user and system time on its second line
      const times = execFileSync('bash', ['-c', 'skopeo --insecure-policy copy --quiet --src-tls-verify=false "$1" "$2" && times', 'bench',
        `docker://${name}`, `oci:${out}:x`]).toString().trim().split('\n').at(-1)!;
      skopeo.push(performance.now() - b);
      skopeoCpu.push(times.split(/\s+/).map(seconds).reduce((x, y) => x + y, 0) * 1000);
      rmSync(out, { recursive: true, force: true });
    }
    const f = (ms: number): string => `${ms.toFixed(0)} ms`.padStart(8);
    console.log(`5-layer image (5 × 8 MB uncompressed), loopback docker-registry, ${N} iterations, medians (wall, and CPU time user+sys)`);
    console.log(`  boxlab push (gzip + upload, once)           ${f(pushMs)}`);
    console.log(`  boxlab pull (download, verify, extract)     ${f(median(boxlab))}   cpu ${f(median(boxlabCpu))}`);
    console.log(`  skopeo copy → oci: (download, verify)       ${f(median(skopeo))}   cpu ${f(median(skopeoCpu))}`);
    console.log(`  ratio boxlab / skopeo                       ${(median(boxlab) / median(skopeo)).toFixed(2)}×       cpu ${(median(boxlabCpu) / median(skopeoCpu)).toFixed(2)}×`);
  } finally {
    registry.kill('SIGTERM');
    await new Promise((r) => registry.once('exit', r));
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
