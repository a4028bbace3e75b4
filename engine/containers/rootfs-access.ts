import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { mount, umount2 } from '../sys/calls.js';
import { MNT, MS } from '../sys/flags.js';
import { resolveInRoot } from './archive.js';
import type { ContainerRecord } from './types.js';

/**
 * A stopped container's root as it would see it, for the moment `work` runs: its overlay mounted on its
 * merged dir, with its volumes and binds where the container sees them (docker cp into a volume lands in it),
 * as dockerd mounts a stopped container for docker cp. Everything is unmounted before this returns.
 */
export async function withStoppedRootfs<T>(rec: ContainerRecord, work: (root: string) => Promise<T>): Promise<T> {
  const d = rec.GraphDriver.Data;
  mount('overlay', d.MergedDir, 'overlay', 0, `lowerdir=${d.LowerDir},upperdir=${d.UpperDir},workdir=${d.WorkDir}`);
  const binds: string[] = [];
  try {
    for (const m of rec.Boxlab.Mounts ?? []) {
      if (m.kind === 'tmpfs' || !m.source) continue;
      // resolved inside the root: a symlink in the image must not aim a mount at the host's own dirs
      const at = d.MergedDir + resolveInRoot(d.MergedDir, m.target);
      if (!existsSync(at)) {
        if (statSync(m.source).isDirectory()) mkdirSync(at, { recursive: true });
        else { mkdirSync(dirname(at), { recursive: true }); writeFileSync(at, ''); }
      }
      mount(m.source, at, null, MS.BIND | MS.REC);
      binds.push(at);
    }
    return await work(d.MergedDir);
  } finally {
    for (const at of binds.reverse()) umount2(at, MNT.DETACH);
    umount2(d.MergedDir, MNT.DETACH);
  }
}

/**
 * One user of a container's root at a time (two docker cp's must not mount one overlay twice), and a
 * start waits until a stopped container's overlay is unmounted again.
 */
export class RootfsAccess {
  private readonly busy = new Map<string, Promise<void>>();

  idle(id: string): Promise<void> {
    return this.busy.get(id) ?? Promise.resolve();
  }

  /** `work` gets /proc/<pid>/root while the container runs, else its overlay mounted for the moment. */
  async use<T>(rec: ContainerRecord, work: (root: string) => Promise<T>): Promise<T> {
    const previous = this.idle(rec.Id);
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    const mine = previous.then(() => done);
    this.busy.set(rec.Id, mine);
    await previous;
    try {
      if (rec.State.Running && rec.State.Pid > 0) return await work(`/proc/${rec.State.Pid}/root`);
      return await withStoppedRootfs(rec, work);
    } finally {
      release();
      if (this.busy.get(rec.Id) === mine) this.busy.delete(rec.Id);
    }
  }
}
