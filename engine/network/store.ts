import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IpamStore } from './ipam.js';
import { withFileLock } from './lock.js';
import type { PortSpec } from './ports.js';

/** One container's attachment to one network, as persisted. */
export interface EndpointRecord {
  container: string;
  containerName: string;
  endpointId: string;
  ifname: string;
  hostVeth: string;
  ip: string;
  mac: string;
  /** /proc/<pid>/ns/net at connect time, and the namespace's inode to tell a reused pid from the original */
  netnsPath: string;
  netnsIno: number;
  ports: PortSpec[];
}

export interface NetworkState {
  id: string;
  name: string;
  bridge: string;
  subnet: string;
  gateway: string;
  created: string;
  /** the default network "bridge": no name resolution, no --ip */
  isDefault: boolean;
  endpoints: Record<string, EndpointRecord>;
  labels?: Record<string, string>;
}

/**
 * Network records under `<stateDir>/networks/<id>.json` and the IPAM bitmaps under `<stateDir>/ipam/`.
 * Reads outside the lock are safe (files are replaced by rename); every change goes through {@link tx},
 * which takes the cross-process lock and re-reads from disk, so two boxlab processes cannot interleave.
 */
export class NetworkStore {
  readonly ipam: IpamStore;
  private readonly netDir: string;
  private readonly lockPath: string;

  constructor(readonly stateDir: string) {
    this.netDir = join(stateDir, 'networks');
    this.lockPath = join(stateDir, 'lock');
    this.ipam = new IpamStore(join(stateDir, 'ipam'));
  }

  load(): NetworkState[] {
    if (!existsSync(this.netDir)) return [];
    const out: NetworkState[] = [];
    for (const f of readdirSync(this.netDir)) {
      if (!f.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(readFileSync(join(this.netDir, f), 'utf8')) as NetworkState);
      } catch {
        // removed between readdir and read
      }
    }
    return out.sort((a, b) => a.created.localeCompare(b.created) || a.name.localeCompare(b.name));
  }

  save(n: NetworkState): void {
    mkdirSync(this.netDir, { recursive: true });
    const file = join(this.netDir, `${n.id}.json`);
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(n, null, 2)}\n`);
    renameSync(tmp, file);
  }

  delete(n: NetworkState): void {
    rmSync(join(this.netDir, `${n.id}.json`), { force: true });
  }

  tx<T>(fn: (networks: NetworkState[]) => T): T {
    return withFileLock(this.lockPath, () => fn(this.load()));
  }

  /** Everything this store ever wrote (for `boxlab reset`). */
  wipe(): void {
    for (const p of [this.netDir, join(this.stateDir, 'ipam'), this.lockPath, join(this.stateDir, 'ip_forward.orig')]) {
      rmSync(p, { recursive: true, force: true });
    }
  }
}
