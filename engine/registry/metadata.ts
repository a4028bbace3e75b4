import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../images/fsutil.js';
import type { ImageStore } from '../images/store.js';

/** A blob as a registry holds it: the compressed form of a layer whose diffID (uncompressed sha256) we store. */
export interface BlobRecord { digest: string; mediaType: string; size: number; registry: string; repository: string }

interface Distribution {
  /** image id → ["name@sha256:<manifest digest>"], as docker's RepoDigests */
  repoDigests: Record<string, string[]>;
  /** diffID → where its compressed blob is known to live (for push: exists/mount checks without recompressing) */
  blobs: Record<string, BlobRecord[]>;
}

/**
 * What the registry side knows about local images, beside the image store (image/distribution.json): the
 * manifest digests images were pulled or pushed as, and the compressed blobs of each layer.
 */
export class DistributionMetadata {
  private readonly file: string;
  constructor(store: ImageStore) { this.file = join(store.dir, 'distribution.json'); }

  private read(): Distribution {
    try {
      const d = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<Distribution>;
      return { repoDigests: d.repoDigests ?? {}, blobs: d.blobs ?? {} };
    } catch { return { repoDigests: {}, blobs: {} }; }
  }

  private update(fn: (d: Distribution) => void): void {
    const d = this.read();
    fn(d);
    writeFileAtomic(this.file, JSON.stringify(d, null, 1));
  }

  repoDigests(imageId: string): string[] {
    return this.read().repoDigests[imageId] ?? [];
  }

  /** Records `name@digest` for the image; a name keeps one digest per image (the newest), as docker shows. */
  addRepoDigest(imageId: string, name: string, digest: string): void {
    this.update((d) => {
      const list = (d.repoDigests[imageId] ?? []).filter((r) => r.slice(0, r.indexOf('@')) !== name);
      d.repoDigests[imageId] = [...list, `${name}@${digest}`].sort();
    });
  }

  blobsOf(diffID: string): BlobRecord[] {
    return this.read().blobs[diffID] ?? [];
  }

  addBlob(diffID: string, rec: BlobRecord): void {
    this.update((d) => {
      const list = (d.blobs[diffID] ?? []).filter((b) => !(b.digest === rec.digest && b.registry === rec.registry && b.repository === rec.repository));
      d.blobs[diffID] = [...list, rec].slice(-8);
    });
  }
}
