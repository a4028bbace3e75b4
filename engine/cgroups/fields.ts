import { UserError } from '../sys/errors.js';
import { formatSize as formatBytes, parseMemorySwap, parseSize } from './size.js';

/**
 * The one table of cgroup limits. Everything else derives from it: the `Resources` type (docker Engine API
 * HostConfig names and units), the CLI flags of `run`/`create`/`update` and their parsing, the API's
 * `update` body check, the picking of limits out of a HostConfig, and the generic part of the validation
 * (whole numbers, not negative, a minimum). What a limit means to the kernel lives in the v1 and v2 writers
 * (v1.ts, v2.ts `set`); checks that relate two fields (swap against memory) stay in validate.ts.
 *
 * Adding a limit = one row here + one write in each writer.
 */

/** How a field's flag text becomes its API value. */
type Kind =
  /** a size like 64m, in bytes; 0 = unlimited */
  | 'bytes'
  /** a size, or -1 for unlimited (memory+swap) */
  | 'bytes-or-unlimited'
  /** a decimal number of CPUs, sent as 1e9 per CPU */
  | 'cpus'
  /** a whole number */
  | 'integer'
  /** a list like 0-1,3 */
  | 'list';

interface Field {
  readonly kind: Kind;
  /** the long flag, as docker names it */
  readonly flag: `--${string}`;
  /** commander's attribute name for the flag (its camelCase) */
  readonly option: string;
  readonly short?: `-${string}`;
  readonly placeholder: string;
  readonly help: string;
  /** words for messages: "invalid memory limit 1.5: must be a whole number" */
  readonly what: string;
  /** smallest accepted non-zero value, with the words that explain it */
  readonly min?: { value: number; why: string };
}

/** docker's linuxMinMemory: below this the container cannot even start its init. */
export const MIN_MEMORY = 6 * 1024 * 1024;

export const RESOURCE_FIELDS = {
  Memory: {
    kind: 'bytes', flag: '--memory', option: 'memory', short: '-m', placeholder: '<size>', help: 'memory limit, e.g. 64m',
    what: 'memory limit', min: { value: MIN_MEMORY, why: 'is below the minimum of 6MiB: use at least -m 6m' },
  },
  MemorySwap: {
    kind: 'bytes-or-unlimited', flag: '--memory-swap', option: 'memorySwap', placeholder: '<size>',
    help: 'memory+swap limit, -1 for unlimited swap', what: 'memory+swap limit',
  },
  MemoryReservation: {
    kind: 'bytes', flag: '--memory-reservation', option: 'memoryReservation', placeholder: '<size>',
    help: 'memory soft limit, reclaimed down to under pressure, e.g. 32m', what: 'memory reservation',
    min: { value: MIN_MEMORY, why: 'is below the minimum of 6MiB: use at least --memory-reservation 6m' },
  },
  NanoCpus: {
    kind: 'cpus', flag: '--cpus', option: 'cpus', placeholder: '<n>', help: 'number of CPUs, e.g. 0.5', what: 'CPU count (NanoCpus)',
  },
  CpuShares: {
    kind: 'integer', flag: '--cpu-shares', option: 'cpuShares', placeholder: '<n>', help: 'relative CPU weight (default 1024)', what: 'CPU shares',
  },
  CpusetCpus: {
    kind: 'list', flag: '--cpuset-cpus', option: 'cpusetCpus', placeholder: '<list>', help: 'CPUs allowed, e.g. 0-1', what: 'CPU list',
  },
  CpusetMems: {
    kind: 'list', flag: '--cpuset-mems', option: 'cpusetMems', placeholder: '<list>', help: 'memory nodes allowed', what: 'memory node list',
  },
  PidsLimit: {
    kind: 'integer', flag: '--pids-limit', option: 'pidsLimit', placeholder: '<n>', help: 'maximum number of processes (-1 unlimited)', what: 'pids limit',
  },
} as const satisfies Record<string, Field>;

type Fields = typeof RESOURCE_FIELDS;
export type ResourceKey = keyof Fields;

/** Docker Engine API HostConfig cgroup fields, in docker's units (see {@link RESOURCE_FIELDS}). */
export type Resources = { -readonly [K in ResourceKey]?: Fields[K]['kind'] extends 'list' ? string : number };

/** The flags' text by commander attribute name: `{ memory: '64m', cpus: '0.5' }`. */
export type ResourceFlags = { [K in ResourceKey as Fields[K]['option']]?: string };

export const RESOURCE_KEYS = Object.keys(RESOURCE_FIELDS) as ResourceKey[];

const fieldOf = (key: ResourceKey): Field => RESOURCE_FIELDS[key];

/** The limits set in a HostConfig-like object: unset, null, 0 and '' are left out. */
export function resourcesOf(source: Partial<Record<ResourceKey, unknown>>): Resources {
  const r: Record<string, unknown> = {};
  for (const key of RESOURCE_KEYS) {
    const v = source[key];
    if (v !== undefined && v !== null && v !== 0 && v !== '') r[key] = v;
  }
  return r as Resources;
}

/** Checks an API value's JSON type (numbers, lists as strings); throws naming the field. */
export function checkResourceType(key: ResourceKey, v: unknown, where: string): void {
  const wantString = fieldOf(key).kind === 'list';
  if (wantString ? typeof v !== 'string' : typeof v !== 'number') throw new UserError(`invalid ${key} in ${where}: ${JSON.stringify(v)}`);
}

function integer(flag: string, v: string): number {
  if (!/^-?\d+$/.test(v.trim())) throw new UserError(`invalid ${flag} "${v}": expected a whole number`);
  return Number(v);
}

/** One flag's text as its API value. */
function parseFlag(f: Field, text: string): number | string {
  switch (f.kind) {
    case 'bytes': return parseSize(text);
    case 'bytes-or-unlimited': return parseMemorySwap(text);
    case 'integer': return integer(f.flag, text);
    case 'list': return text;
    case 'cpus': {
      const n = Number(text);
      if (!Number.isFinite(n) || n <= 0) throw new UserError(`invalid ${f.flag} "${text}": expected a positive number like 0.5`);
      return Math.round(n * 1e9);
    }
  }
}

/** The cgroup limits among parsed CLI flags, as HostConfig fields. */
export function resourcesFromFlags(flags: ResourceFlags): Resources {
  const r: Record<string, unknown> = {};
  const given = flags as Record<string, string | undefined>;
  for (const key of RESOURCE_KEYS) {
    const f = fieldOf(key);
    const text = given[f.option];
    if (text) r[key] = parseFlag(f, text);
  }
  return r as Resources;
}

/** The flags as commander options: [`-m, --memory <size>`, help]. */
export function resourceFlagSpecs(): { spec: string; help: string }[] {
  return RESOURCE_KEYS.map((key) => {
    const f = fieldOf(key);
    return { spec: `${f.short ? `${f.short}, ` : ''}${f.flag} ${f.placeholder}`, help: f.help };
  });
}

/** The checks every field gets from its row: whole numbers, sizes not negative, the row's minimum. */
export function validateFields(r: Resources): void {
  for (const key of RESOURCE_KEYS) {
    const f = fieldOf(key);
    const v = r[key];
    if (typeof v !== 'number') continue;
    if (!Number.isSafeInteger(v)) throw new UserError(`invalid ${f.what} ${v}: must be a whole number`);
    if (f.kind === 'bytes' && v < 0) throw new UserError(`invalid ${f.flag} ${v}: a ${f.what} cannot be negative`);
    if (f.min && v > 0 && v < f.min.value) throw new UserError(`${f.flag} ${formatBytes(v)} ${f.min.why}`);
  }
}
