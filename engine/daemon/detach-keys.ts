import { UserError } from '../sys/errors.js';

/**
 * docker's detach keys: a key sequence on an attached stdin (default ctrl-p,ctrl-q) that detaches the client
 * and leaves the process running. Written as docker writes them: comma-separated keys, each a single
 * character or `ctrl-<key>` (a-z, @, [, \, ], ^, _).
 */
export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

export function parseDetachKeys(spec: string | null | undefined): number[] {
  const text = spec || DEFAULT_DETACH_KEYS;
  return text.split(',').map((key) => {
    if (key.length === 1) return key.charCodeAt(0);
    const ctrl = /^ctrl-(.)$/.exec(key);
    if (ctrl) {
      const c = ctrl[1]!;
      if (/^[a-z]$/.test(c)) return c.charCodeAt(0) - 96;
      const i = '@[\\]^_'.indexOf(c);
      if (i >= 0) return i === 0 ? 0 : 27 + i - 1;
    }
    throw new UserError(`Invalid detach keys (${text}) provided: use keys like ctrl-p,ctrl-q or a single character`);
  });
}

/**
 * Watches input for the sequence: bytes that may begin it are held back until it is complete (then `detach`
 * runs and nothing of it reaches the process) or broken (then they go through after all).
 */
export function detachFilter(keys: number[], detach: () => void): (chunk: Buffer) => Buffer {
  let matched = 0;
  return (chunk) => {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === keys[matched]) {
        matched += 1;
        if (matched === keys.length) {
          matched = 0;
          detach();
          return Buffer.from(out);
        }
        continue;
      }
      out.push(...keys.slice(0, matched));
      matched = byte === keys[0] ? 1 : 0;
      if (matched === 0) out.push(byte);
    }
    return Buffer.from(out);
  };
}
