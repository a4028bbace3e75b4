import { createHash, randomBytes } from 'node:crypto';
import { substitute } from '../placeholders.js';
import type { Param } from './types.js';

/** A fresh per-learner seed (stored in the progress file, so the learner gets the same instance again). */
export function newSeed(): string {
  return randomBytes(6).toString('hex');
}

/** A number in [0, 1) that depends only on its inputs: the same learner draws the same values again. */
function unit(seed: string, key: string): number {
  return createHash('sha256').update(`${seed}\0${key}`).digest().readUInt32BE(0) / 2 ** 32;
}

const LETTERS = 'abcdefghijkmnpqrstuvwxyz';

/**
 * Draws every param of one task for one learner. `key` (lesson id + task title) keeps two tasks of the same
 * learner from drawing in lockstep. Later params may use earlier ones ({text: ...}, {mul: ...}).
 */
export function drawParams(params: readonly Param[], seed: string, key: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const p of params) {
    const u = unit(seed, `${key}\0${p.name}`);
    const s = p.spec;
    let v: string;
    if ('pick' in s) v = s.pick[Math.floor(u * s.pick.length)]!;
    else if ('range' in s) v = String(s.range[0] + Math.floor(u * (s.range[1] - s.range[0] + 1)));
    else if ('word' in s) {
      v = '';
      for (let i = 0; i < s.word; i++) v += LETTERS[Math.floor(unit(seed, `${key}\0${p.name}\0${i}`) * LETTERS.length)];
    } else if ('mul' in s) v = String(Number(values.get(s.mul[0])) * s.mul[1]);
    else v = substitute(s.text, values);
    values.set(p.name, v);
  }
  return values;
}
