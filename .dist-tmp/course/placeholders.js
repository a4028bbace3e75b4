import { UserError } from '../engine/sys/errors.js';
// `{{web.pid}}` is a placeholder; `{{.State.Pid}}` (leading dot) is a Go template for `boxlab inspect -f`.
const PLACEHOLDER_RE = /\{\{\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_0-9][\w-]*)*)\s*\}\}/g;
/** Names used as placeholders in `text`, in order of appearance. */
export function placeholdersIn(text) {
    return [...text.matchAll(PLACEHOLDER_RE)].map((m) => m[1]);
}
/** Replaces every `{{name}}` by its value; an unknown name is a lesson bug, reported as such. */
export function substitute(text, values) {
    return text.replace(PLACEHOLDER_RE, (_, name) => {
        const v = values.get(name);
        if (v === undefined)
            throw new UserError(`lesson uses {{${name}}} before anything captured it — run the earlier steps first, or fix the lesson`);
        return v;
    });
}
export const BUILTIN_VALUES = ['cgroup.version', 'boxlab.socket', 'boxlab.root', 'lesson.dir'];
//# sourceMappingURL=placeholders.js.map