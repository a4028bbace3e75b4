import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hasTranslation, translateLesson, translationFile, type LessonLang } from './i18n.js';
import { parseLessonFile } from './parse.js';
import { BUILTIN_VALUES, placeholdersIn } from './placeholders.js';
import { lintTaskFiles } from './tasks/lint.js';
import type { CgroupVersion, Diagnostic, Lesson, RunnableBlock } from './types.js';

export interface LoadedLessons {
  lessons: Lesson[];
  diagnostics: Diagnostic[];
}

export interface LoadOptions {
  /** lay each lesson's translation over it (course/i18n.ts); a lesson without a usable one stays English */
  lang?: LessonLang;
}

export const LESSON_FILE = 'lesson.md';

/** Reads every `lessons/<id>/lesson.md`, sorted by folder name, with parse and lint diagnostics. */
export function loadLessons(lessonsDir: string, opts: LoadOptions = {}): LoadedLessons {
  const lessons: Lesson[] = [];
  const diagnostics: Diagnostic[] = [];
  if (!existsSync(lessonsDir)) return { lessons, diagnostics: [{ file: lessonsDir, line: 0, message: 'lessons folder not found' }] };
  const dirs = readdirSync(lessonsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const d of dirs) {
    const file = join(lessonsDir, d, LESSON_FILE);
    if (!existsSync(file)) {
      diagnostics.push({ file: join(lessonsDir, d), line: 0, message: `no ${LESSON_FILE} in this lesson folder — add one or remove the folder` });
      continue;
    }
    const r = parseLessonFile(file);
    diagnostics.push(...r.diagnostics);
    if (!r.lesson) continue;
    if (r.lesson.meta.id !== d) diagnostics.push({ file, line: 2, message: `id "${r.lesson.meta.id}" does not match the folder name "${d}" — make them equal` });
    diagnostics.push(...lintLesson(r.lesson));
    lessons.push(r.lesson);
  }
  diagnostics.push(...lintPrerequisites(lessons));
  diagnostics.push(...lintTaskFiles(lessons));
  const lang = opts.lang;
  const shown = lang === undefined || lang === 'en' ? lessons
    : lessons.map((l) => (hasTranslation(l, lang) ? translateLesson(l, translationFile(l.file, lang), lang).lesson ?? l : l));
  return { lessons: shown, diagnostics: dedupe(diagnostics) };
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.file}:${d.line}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function lintPrerequisites(lessons: Lesson[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byId = new Map(lessons.map((l) => [l.meta.id, l]));
  for (const l of lessons) {
    for (const p of l.meta.prerequisites) {
      if (!byId.has(p)) out.push({ file: l.file, line: 2, message: `prerequisite "${p}" is not a lesson — use one of: ${[...byId.keys()].join(', ')}` });
    }
  }
  // a cycle makes "do this first" impossible to follow
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const l = byId.get(id)!;
      out.push({ file: l.file, line: 2, message: `prerequisites form a cycle: ${[...path.slice(path.indexOf(id)), id].join(' → ')} — remove one` });
      return;
    }
    state.set(id, 'visiting');
    for (const p of byId.get(id)?.meta.prerequisites ?? []) if (byId.has(p)) visit(p, [...path, id]);
    state.set(id, 'done');
  };
  for (const l of lessons) visit(l.meta.id, []);
  return out;
}

/** Names a block defines, and the names it uses, with lines. */
function definitions(block: RunnableBlock, variant: CgroupVersion): { name: string; line: number }[] {
  switch (block.kind) {
    case 'action': return block.name ? [{ name: block.name, line: block.line }, ...(block.expectFail ? [{ name: `${block.name}.exit`, line: block.line }] : [])] : [];
    case 'observe': return block.name ? [{ name: block.phase ? `${block.name}.${block.phase}` : block.name, line: block.line }] : [];
    case 'capture': return block.captures.map((c) => ({ name: c.name, line: c.line }));
    case 'check': void variant; return [];
  }
}

function uses(block: RunnableBlock, variant: CgroupVersion): { name: string; line: number }[] {
  const out: { name: string; line: number }[] = [];
  const add = (text: string | undefined, line: number) => { if (text) for (const n of placeholdersIn(text)) out.push({ name: n, line }); };
  switch (block.kind) {
    case 'action': case 'observe': for (const c of block.commands) add(c.text, c.line); break;
    case 'capture':
      for (const c of block.captures) {
        add(c.run, c.line); add(c.match, c.line);
        if (c.from) out.push({ name: c.from, line: c.line });
      }
      break;
    case 'check':
      for (const c of block.checks) {
        if (c.cgroup && c.cgroup !== variant) continue;
        for (const v of Object.values(c.subject)) add(v as string, c.line);
        for (const v of Object.values(c.ops)) if (typeof v === 'string') add(v, c.line);
      }
      break;
  }
  return out;
}

/** Placeholder, definition and pairing rules, checked for cgroup v1 and v2 separately. */
export function lintLesson(lesson: Lesson): Diagnostic[] {
  const raw: (Diagnostic & { variant: CgroupVersion })[] = [];
  const file = lesson.file;
  const variants: CgroupVersion[] = lesson.meta.cgroup ? [lesson.meta.cgroup] : ['v1', 'v2'];
  for (const variant of variants) {
    const where = WHERE;
    const out = { push: (d: Diagnostic) => raw.push({ ...d, variant }) };
    const defined = new Map<string, number>(BUILTIN_VALUES.map((n) => [n, 0]));
    for (const cl of lesson.cleanup) {
      if (cl.cgroup && cl.cgroup !== variant) continue;
      for (const c of cl.commands) {
        for (const n of placeholdersIn(c.text)) {
          if (!defined.has(n)) out.push({ file, line: c.line, message: `cleanup uses {{${n}}}, but cleanup runs before any step: use names only (boxlab rm -f web), not captured values` });
        }
      }
    }
    for (const step of lesson.steps) {
      for (const block of step.blocks) {
        if (block.cgroup && block.cgroup !== variant) continue;
        // a capture block defines its names one by one, so a later capture may use an earlier one
        const parts: RunnableBlock[] = block.kind === 'capture' ? block.captures.map((c) => ({ ...block, captures: [c] })) : [block];
        for (const part of parts) {
          for (const u of uses(part, variant)) {
            if (!defined.has(u.name)) {
              const known = [...defined.keys()].filter((k) => !(BUILTIN_VALUES as readonly string[]).includes(k));
              out.push({ file, line: u.line, message: `{{${u.name}}} is not defined before this point${where} — capture it in an earlier block (defined so far: ${known.join(', ') || 'nothing'})` });
            }
          }
          for (const d of definitions(part, variant)) {
            const prev = defined.get(d.name);
            if (prev !== undefined) out.push({ file, line: d.line, message: `"${d.name}" is already defined${prev > 0 ? ` at line ${prev}` : ' (built-in)'}${where} — pick another name` });
            else defined.set(d.name, d.line);
          }
        }
      }
    }
    // before/after observations come in ordered pairs
    for (const step of lesson.steps) {
      for (const block of step.blocks) {
        if (block.kind !== 'observe' || !block.phase || !block.name) continue;
        if (block.cgroup && block.cgroup !== variant) continue;
        const other = block.phase === 'before' ? 'after' : 'before';
        if (!defined.has(`${block.name}.${other}`)) out.push({ file, line: block.line, message: `observe name=${block.name} ${block.phase} has no ${other} pair${where} — add an observe name=${block.name} ${other} block` });
        else if (block.phase === 'after' && (defined.get(`${block.name}.before`) ?? 0) > block.line) out.push({ file, line: block.line, message: `observe name=${block.name} after comes before its "before" block — swap them` });
      }
    }
  }
  raw.push(...lintExpectedFailures(lesson).map((d) => ({ ...d, variant: variants[0]! })));
  raw.push(...lintHints(lesson).map((d) => ({ ...d, variant: variants[0]! })));
  // an error in every variant is reported once, plainly; one in a single variant names it
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const d of raw) {
    const head = (m: string) => m.split(' — ')[0];
    const key = `${d.line}:${head(d.message)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const everywhere = variants.every((v) => raw.some((o) => o.variant === v && o.line === d.line && head(o.message) === head(d.message)));
    const suffix = everywhere || variants.length === 1 ? '' : ` (on cgroup ${d.variant})`;
    out.push({ file: d.file, line: d.line, message: d.message.replace(WHERE, suffix) });
  }
  return out;
}

const WHERE = '\u0000where\u0000';

/**
 * An `action expect=fail` teaches *why* something is refused, so a failure for any other reason (a typo, a
 * missing container) must not pass: the action needs `name=` and a later check reading the error text.
 */
function lintExpectedFailures(lesson: Lesson): Diagnostic[] {
  const out: Diagnostic[] = [];
  const blocks = lesson.steps.flatMap((s) => s.blocks);
  blocks.forEach((b, i) => {
    if (b.kind !== 'action' || !b.expectFail) return;
    if (!b.name) {
      out.push({ file: lesson.file, line: b.line, message: 'action expect=fail needs name=NAME — its value holds the error text, which a later check must read (contains:/matches:)' });
      return;
    }
    // the error text, or an exit status that names the cause (137 = SIGKILL), says why
    const read = blocks.slice(i + 1).some((c) => c.kind === 'check' && c.checks.some((k) => 'value' in k.subject && (
      (placeholdersIn(k.subject.value).includes(b.name!) && (k.ops.contains !== undefined || k.ops.matches !== undefined))
      || (placeholdersIn(k.subject.value).includes(`${b.name!}.exit`) && k.ops.equals !== undefined))));
    if (!read) out.push({ file: lesson.file, line: b.line, message: `action expect=fail name=${b.name}: no check reads why it failed — add a check with value: "{{${b.name}}}" and contains:/matches: the error text (or value: "{{${b.name}.exit}}" equals: a telling exit status)` });
  });
  return out;
}

/** A failed check is where a learner gets stuck: each one says where to look (docs/lesson-format.md §2.5). */
function lintHints(lesson: Lesson): Diagnostic[] {
  return lesson.steps.flatMap((s) => s.blocks).flatMap((b) => (b.kind === 'check' ? b.checks : []))
    .filter((c) => c.hint === undefined)
    .map((c) => ({ file: lesson.file, line: c.line, message: 'check without hint: — add hint: saying where to look when it fails (a file, a command, a line of the evidence)' }));
}
