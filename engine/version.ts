import { readFileSync } from 'node:fs';

/**
 * The versions boxlab reports, in one place: its own (package.json's, so a release bumps one file) and the
 * Docker Engine API it speaks (docker's CLI negotiates down from `Api-Version`; 1.24 is the oldest it accepts).
 */
export const VERSION: string = ownPackage().version;

/** package.json lies one level up from engine/ in the source tree (tests) and two up in dist/. */
function ownPackage(): { version: string } {
  for (const up of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'boxlab') return pkg;
    } catch {
      // not at this level
    }
  }
  throw new Error('boxlab: package.json not found beside engine/');
}
export const API_VERSION = '1.43';
export const MIN_API_VERSION = '1.24';
