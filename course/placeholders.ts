import { UserError } from '../engine/sys/errors.js';
import { t } from '../i18n/index.js';

// `{{web.pid}}` is a placeholder; `{{.State.Pid}}` (leading dot) is a Go template for `boxlab inspect -f`.
const PLACEHOLDER_RE = /\{\{\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_0-9][\w-]*)*)\s*\}\}/g;

/** Names used as placeholders in `text`, in order of appearance. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER_RE)].map((m) => m[1]!);
}

/** Replaces every `{{name}}` by its value; an unknown name is a lesson bug, reported as such. */
export function substitute(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(PLACEHOLDER_RE, (_, name: string) => {
    const v = values.get(name);
    if (v === undefined) throw new UserError(t().rnUncaptured(name));
    return v;
  });
}

export const BUILTIN_VALUES = ['cgroup.version', 'boxlab.socket', 'boxlab.root', 'lesson.dir'] as const;
