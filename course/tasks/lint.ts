import type { Diagnostic, Lesson } from '../types.js';
import { parseTasksFile, tasksFileOf } from './parse.js';

/** Diagnostics of every lesson's tasks.md (for `boxlab lessons lint`). */
export function lintTaskFiles(lessons: readonly Lesson[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const l of lessons) {
    const file = tasksFileOf(l.dir);
    if (!file) continue;
    const r = parseTasksFile(file);
    out.push(...r.diagnostics);
    if (r.tasks && r.tasks.lesson !== l.meta.id) out.push({ file, line: 2, message: `lesson: "${r.tasks.lesson}" does not match the folder "${l.meta.id}" — make them equal` });
  }
  return out;
}
