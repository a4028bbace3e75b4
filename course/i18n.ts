import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { marked, type Token, type Tokens } from 'marked';
import { z } from 'zod';
import { isRunnableInfo } from './parse.js';
import { parseYaml } from './yaml-lines.js';
import type { Check, CheckBlock, Diagnostic, Lesson, Step } from './types.js';

/**
 * Translations of a lesson (`lesson.zh.md` beside `lesson.md`) carry text only: prose, step titles, check
 * `proves:`, `hint:` and `invariant:` sentences, title and summary. Commands, captures, observations and the checks'
 * assertions stay single-sourced in lesson.md; `translateLesson` lays the translated text over the English
 * structure, so a check can never differ between languages. Every translated step records a short hash of
 * its English source, so a step changed in English and not in the translation is reported as stale.
 * The format is in docs/lesson-format.md §8.
 */

export const LESSON_LANGS = ['en', 'zh'] as const;
export type LessonLang = (typeof LESSON_LANGS)[number];

export const translationFile = (lessonFile: string, lang: Exclude<LessonLang, 'en'>) => join(dirname(lessonFile), `lesson.${lang}.md`);

const STEP_RE = /^Step\s+(\d+)\s*(?:\[([0-9a-f]*)\])?\s*:\s*(.+)$/;
const HASH_LEN = 8;

const hash = (parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, HASH_LEN);

/** The English source a step's translation was made from: its title and everything under its heading. */
export function stepHash(step: Step): string {
  return hash([step.title, ...step.tokens.map((t) => t.raw)]);
}

/** The English text outside steps: title, summary, introduction and closing prose. */
export function frameHash(lesson: Lesson): string {
  return hash([lesson.meta.title, lesson.meta.summary, ...lesson.intro.map((t) => t.raw), '\u0001', ...lesson.outro.map((t) => t.raw)]);
}

const frontSchema = z.object({
  title: z.string().min(1),
  summary: z.string().min(1),
  source: z.union([z.string(), z.number()]).transform(String).optional(),
}).strict();

const checkTextSchema = z.union([
  z.string().min(1),
  z.object({ proves: z.string().min(1), hint: z.string().min(1).optional(), invariant: z.string().min(1).optional() }).strict(),
]);

interface Section {
  tokens: Token[];
  line: number;
}

interface ZhStep extends Section {
  number: number;
  hash: string | undefined;
  title: string;
}

/** A translation file cut into the same sections as a lesson: front matter, intro, steps, closing prose. */
interface ParsedTranslation {
  front?: z.infer<typeof frontSchema>;
  intro: Section;
  steps: ZhStep[];
  outro: Section;
}

type Report = (line: number, message: string) => void;

function parseTranslation(source: string, report: Report): ParsedTranslation | undefined {
  const text = source.replace(/\r\n?/g, '\n');
  const fm = /^---\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(text);
  if (!fm) {
    report(1, 'no front matter — start with "---", title:, summary:, source: (the hash `boxlab lessons translate-stamp` writes), "---"');
    return undefined;
  }
  const y = parseYaml(fm[1] ?? '');
  for (const e of y.errors) report(1 + e.line, `front matter YAML: ${e.message}`);
  let front: ParsedTranslation['front'];
  if (y.errors.length === 0) {
    const r = frontSchema.safeParse(y.doc.toJS() ?? {});
    if (r.success) front = r.data;
    else for (const i of r.error.issues) report(1 + y.lineOf(i.path), `front matter ${i.path.join('.') || ''}: ${i.message} — a translation's front matter has title, summary and source only`);
  }
  const bodyStart = fm[0].split('\n').length - (fm[0].endsWith('\n') ? 1 : 0) + 1;
  const body = text.slice(fm[0].length);
  const out: ParsedTranslation = { ...(front && { front }), intro: { tokens: [], line: bodyStart }, steps: [], outro: { tokens: [], line: bodyStart } };
  let current: Section = out.intro;
  let inProse = false;
  let pos = 0;
  let line = bodyStart;
  for (const token of marked.lexer(body)) {
    const at = body.indexOf(token.raw, pos);
    if (at >= 0) { line += newlines(body, pos, at); pos = at; }
    if (token.type === 'heading' && (token as Tokens.Heading).depth === 2) {
      const headingText = (token as Tokens.Heading).text.trim();
      const m = STEP_RE.exec(headingText);
      if (m) {
        if (inProse && out.outro.tokens.length > 0) current.tokens.push(...out.outro.tokens.splice(0));
        const step: ZhStep = { number: Number(m[1]), hash: m[2] || undefined, title: (m[3] ?? '').trim(), tokens: [], line };
        out.steps.push(step);
        current = step;
        inProse = false;
      } else if (/^Step\b/.test(headingText)) {
        report(line, `step heading "${headingText}" — write it as "## Step N [HASH]: 译文标题" (N counts from 1; translate-stamp fills HASH)`);
      } else inProse = true;
      if (m) { line += newlines(body, pos, pos + token.raw.length); pos += token.raw.length; continue; }
    }
    (inProse ? out.outro : current).tokens.push(token);
    if (inProse && out.outro.tokens.length === 1) out.outro.line = line;
    line += newlines(body, pos, pos + token.raw.length);
    pos += token.raw.length;
  }
  return out;
}

function newlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

const kindOf = (t: Token) => ((t as Tokens.Code).lang ?? '').trim().split(/\s+/)[0] ?? '';
const runnable = (tokens: Token[]) => tokens.filter((t) => t.type === 'code' && isRunnableInfo((t as Tokens.Code).lang)) as Tokens.Code[];

/** Line of the `index`-th runnable block of a section (for pointing at a wrong block). */
function blockLine(section: Section, index: number): number {
  let line = section.line;
  let seen = 0;
  for (const t of section.tokens) {
    if (t.type === 'code' && isRunnableInfo((t as Tokens.Code).lang)) {
      if (seen === index) return line;
      seen++;
    }
    line += newlines(t.raw, 0, t.raw.length);
  }
  return line;
}

export interface Translation {
  lesson: Lesson;
  diagnostics: Diagnostic[];
  /** steps (and the frame, as step 0) whose English changed since they were translated */
  stale: number[];
}

/**
 * Lays the translation in `file` over `english`. Structure errors (missing or extra steps or blocks, a check
 * count that differs) and stale hashes are diagnostics; the merged lesson is returned only when the file could
 * be laid over the English at all (stale text is still shown: better than nothing, and the lint says so).
 */
export function translateLesson(english: Lesson, file: string, lang: Exclude<LessonLang, 'en'>): { lesson?: Lesson; diagnostics: Diagnostic[]; warnings: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const report: Report = (line, message) => diagnostics.push({ file, line, message });
  const parsed = parseTranslation(readFileSync(file, 'utf8'), report);
  if (!parsed?.front) return { diagnostics, warnings };
  const stamp = 'run `boxlab lessons translate-stamp ' + english.meta.id + '` once the translation matches the English';
  if (parsed.front.source !== frameHash(english)) {
    report(2, `stale: the English title, summary, introduction or closing prose changed since this was translated (source: ${parsed.front.source ?? 'none'}, English now ${frameHash(english)}) — update the text, then ${stamp}`);
  }
  const intro = mergeSection(english.intro, parsed.intro, 'the introduction', report);
  const outro = mergeSection(english.outro, parsed.outro, 'the closing prose', report);
  if (parsed.steps.length !== english.steps.length) {
    report(parsed.steps[0]?.line ?? 1, `${parsed.steps.length} steps, the English has ${english.steps.length} — translate every "## Step:" of lesson.md, in order`);
  }
  const steps: Step[] = [];
  english.steps.forEach((en, i) => {
    const zh = parsed.steps[i];
    if (!zh) { steps.push(en); return; }
    if (zh.number !== i + 1) report(zh.line, `step heading says ${zh.number}, it is step ${i + 1} — number the steps 1, 2, 3 … as in lesson.md`);
    if (zh.hash === undefined) report(zh.line, `step ${i + 1} has no [HASH] of its English source — ${stamp}`);
    else if (zh.hash !== stepHash(en)) report(zh.line, `stale: step ${i + 1} ("${en.title}") changed in English since it was translated — update the translation, then ${stamp}`);
    const tokens = mergeSection(en.tokens, zh, `step ${i + 1}`, report);
    const blocks = en.blocks.map((b) => b);
    const checkTexts = checkTextsOf(zh, report);
    let checkBlock = 0;
    blocks.forEach((b, j) => {
      if (b.kind !== 'check') return;
      const texts = checkTexts[checkBlock++];
      if (!texts) return;
      if (texts.items.length !== b.checks.length) {
        report(texts.line, `${texts.items.length} check texts, the English block has ${b.checks.length} — one item per check, in order`);
        return;
      }
      const checks: Check[] = b.checks.map((c, k) => {
        const t = texts.items[k]!;
        // hint: and invariant: are where the English has them. An invariant the translation lacks is only a
        // warning (it stays English, like a stale step): translations made before invariants were translatable
        // must not fail the lint at once; one where the English has none is an error.
        for (const field of ['hint', 'invariant'] as const) {
          if ((c[field] === undefined) === (t[field] === undefined)) continue;
          if (c[field] === undefined) report(texts.line, `check ${k + 1}: the English check has no ${field} — remove it`);
          else if (field === 'hint') report(texts.line, `check ${k + 1}: the English check has a hint — translate it (proves: …, hint: …)`);
          else warnings.push({ file, line: texts.line, message: `check ${k + 1}: the English check has an invariant — translate it (proves: …, hint: …, invariant: …); it shows in English until then` });
        }
        return {
          ...c, proves: t.proves,
          ...(t.hint !== undefined && c.hint !== undefined && { hint: t.hint }),
          ...(t.invariant !== undefined && c.invariant !== undefined && { invariant: t.invariant }),
        };
      });
      blocks[j] = { ...(b as CheckBlock), checks };
    });
    steps.push({ ...en, title: zh.title, progressKey: en.progressKey ?? en.title, tokens: tokens ?? en.tokens, blocks });
  });
  const lesson: Lesson = {
    ...english,
    meta: { ...english.meta, title: parsed.front.title, summary: parsed.front.summary },
    intro: intro ?? english.intro,
    outro: outro ?? english.outro,
    steps,
    lang,
  };
  return { lesson, diagnostics, warnings };
}

interface CheckTexts {
  line: number;
  items: { proves: string; hint?: string; invariant?: string }[];
}

/** The translated texts of each check block of a step, in order. */
function checkTextsOf(section: Section, report: Report): (CheckTexts | undefined)[] {
  const out: (CheckTexts | undefined)[] = [];
  let n = 0;
  for (const t of runnable(section.tokens)) {
    if (kindOf(t) !== 'check') { n++; continue; }
    const line = blockLine(section, n++) + 1;
    const y = parseYaml(t.text);
    for (const e of y.errors) report(line + e.line - 1, `check texts YAML: ${e.message}`);
    const data: unknown = y.errors.length === 0 ? y.doc.toJS() : undefined;
    if (!Array.isArray(data)) {
      if (y.errors.length === 0) report(line, 'a translated check block is a YAML list, one item per English check: "- proves: …" (and "hint: …", "invariant: …" where the English has them)');
      out.push(undefined);
      continue;
    }
    const items: CheckTexts['items'] = [];
    data.forEach((item, i) => {
      const r = checkTextSchema.safeParse(item);
      if (!r.success) { report(line + y.lineOf([i]) - 1, `check text ${i + 1}: give "- proves: 译文" (with hint: and invariant: where the English has them), nothing else`); items.push({ proves: '?' }); return; }
      const d = r.data;
      items.push(typeof d === 'string' ? { proves: d } : { proves: d.proves, ...(d.hint !== undefined && { hint: d.hint }), ...(d.invariant !== undefined && { invariant: d.invariant }) });
    });
    out.push({ line, items });
  }
  return out;
}

/**
 * The translated tokens of one section with each runnable block swapped for the English one (so commands are
 * shown exactly as they run) — except check blocks, whose translated sentences are shown. Reports a block
 * sequence that differs from the English.
 */
function mergeSection(english: Token[], zh: Section, where: string, report: Report): Token[] | undefined {
  const en = runnable(english);
  const tr = runnable(zh.tokens);
  const enKinds = en.map(kindOf);
  const trKinds = tr.map(kindOf);
  if (enKinds.join(' ') !== trKinds.join(' ')) {
    report(zh.line, `${where} has blocks [${trKinds.join(', ') || 'none'}], the English has [${enKinds.join(', ') || 'none'}] — keep the same fenced blocks in the same order (their bodies may stay empty)`);
    return undefined;
  }
  let i = 0;
  return zh.tokens.map((t) => {
    if (t.type !== 'code' || !isRunnableInfo((t as Tokens.Code).lang)) return t;
    const e = en[i++]!;
    if (kindOf(e) !== 'check') return e;
    // the lesson pane shows a check block's proves: sentences; give it the translated ones under the English info
    return { ...e, text: (t as Tokens.Code).text } as Token;
  });
}

/** Where a translation stands, for `boxlab lessons lint`. */
export type TranslationStatus = 'missing' | 'ok' | 'broken';

/**
 * Rewrites the hashes of a translation file to the English source as it is now: the translator's "this
 * translation matches lesson.md". Only the `source:` line and the `## Step N [HASH]:` headings change.
 */
export function stampTranslation(english: Lesson, file: string): { steps: number } {
  const text = readFileSync(file, 'utf8');
  let n = 0;
  let inFence = false;
  const lines = text.split('\n').map((l) => {
    if (/^(```|~~~)/.test(l)) inFence = !inFence;
    if (inFence) return l;
    const m = /^##\s+Step\s+(\d+)\s*(?:\[[0-9a-f]*\])?\s*:\s*(.*)$/.exec(l);
    if (!m) return l;
    const step = english.steps[Number(m[1]) - 1];
    if (!step) return l;
    n++;
    return `## Step ${m[1]} [${stepHash(step)}]: ${m[2]}`;
  });
  let out = lines.join('\n');
  const fm = /^---\n([\s\S]*?)\n---/.exec(out);
  if (fm) {
    const inner = /^source:.*$/m.test(fm[1]!) ? fm[1]!.replace(/^source:.*$/m, `source: "${frameHash(english)}"`) : `${fm[1]}\nsource: "${frameHash(english)}"`;
    out = `---\n${inner}\n---${out.slice(fm[0].length)}`;
  }
  writeFileSync(file, out);
  return { steps: n };
}

export const hasTranslation = (english: Lesson, lang: Exclude<LessonLang, 'en'>) => existsSync(translationFile(english.file, lang));

export interface TranslationLint {
  /** stale or structurally wrong translations: lint fails */
  diagnostics: Diagnostic[];
  /** lessons with no translation file yet: reported, lint still passes */
  untranslated: string[];
  /** text left in English that the lint reports but does not fail on (an untranslated invariant:) */
  warnings: Diagnostic[];
}

/** The parity lint of every lesson's translation into `lang`. */
export function lintTranslations(lessons: Lesson[], lang: Exclude<LessonLang, 'en'>): TranslationLint {
  const out: TranslationLint = { diagnostics: [], untranslated: [], warnings: [] };
  for (const l of lessons) {
    if (!hasTranslation(l, lang)) { out.untranslated.push(l.meta.id); continue; }
    const r = translateLesson(l, translationFile(l.file, lang), lang);
    out.diagnostics.push(...r.diagnostics);
    out.warnings.push(...r.warnings);
  }
  return out;
}
