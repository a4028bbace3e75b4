import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** An OCI bundle in `dir` over `rootfs` (read-only) running `args`, for runc and crun (from `runc spec`, or crun's). */
export function bundle(dir: string, rootfs: string, args: string[]): string {
  mkdirSync(dir, { recursive: true });
  const tool = spawnSync('sh', ['-c', 'command -v runc']).status === 0 ? 'runc' : 'crun';
  execFileSync(tool, ['spec'], { cwd: dir });
  const spec = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { process: { args: string[]; terminal: boolean }; root: { path: string; readonly: boolean } };
  spec.process.args = args;
  spec.process.terminal = false;
  spec.root = { path: rootfs, readonly: true };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
  return dir;
}
