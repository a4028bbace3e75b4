import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../env.js';
import { lintLesson } from '../lint.js';
import { parseLesson } from '../parse.js';
import { describeIssue } from '../schema.js';
import type { Diagnostic, Lesson } from '../types.js';
import { parseYaml } from '../yaml-lines.js';

/**
 * The interview question bank: one markdown file per question in interview/, written by course authors
 * like lessons are (docs/interview-format.md). Sections are level-2 headings; a question may end with a
 * `## Demo` section holding lesson-style steps, parsed by the lesson parser itself.
 */

/** `01-uts#start-a-container-with-its-own-hostname`: lesson id, `#`, the step's id (course/step-id.ts). */
export const PROOF_RE = /^([a-z0-9][a-z0-9-]*)#([a-z0-9][a-z0-9-]*)$/;
/** The old form, `01-uts#2`: a step number shifts when a step is inserted, so it is refused with a pointer. */
const NUMBERED_PROOF_RE = /^[a-z0-9][a-z0-9-]*#\d+$/;
/** `000#12` (the 12th `##` question of note 000) or `003:1§5` / `003:2§3` (part 1 §5, part 2 §3 of note 003). */
export const SOURCE_RE = /^(?:000#[1-9]\d*|003:1§\d+|003:2§[1-9]\d*)$/;

const frontMatterSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and "-"'),
  source: z.string().regex(SOURCE_RE, 'write 000#N or 003:1§N / 003:2§N (the question\'s place in the notes)'),
  topics: z.array(z.string().regex(/^[a-z0-9-]+$/)).min(1, 'give at least one topic'),
  difficulty: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  proof: z.array(z.string()
    .refine((p) => !NUMBERED_PROOF_RE.test(p), 'a proof names a step by its id, not its number: LESSON#STEP-ID, the step title as a slug (01-uts#start-a-container-with-its-own-hostname); `boxlab interview steps LESSON` lists them')
    .refine((p) => NUMBERED_PROOF_RE.test(p) || PROOF_RE.test(p), 'a proof is LESSON#STEP-ID, like 01-uts#start-a-container-with-its-own-hostname')).default([]),
  /** why the question has no live proof (required when it has neither proof nor demo) */
  written: z.string().min(10).optional(),
});

/** Sections every question has, in this order; `Demo` may follow. */
export const SECTIONS = {
  questionZh: '问题',
  questionEn: 'Question',
  answerZh: '参考答案',
  answerEn: 'Model answer',
  keyPoints: 'Key points',
  wrongAnswers: 'Wrong answers',
  followUps: 'Follow-ups',
} as const;
export const DEMO_SECTION = 'Demo';
/** The Chinese of the three lists, each one item per item of its English list, in the same order. */
export const ZH_LISTS = {
  keyPoints: '要点',
  wrongAnswers: '常见错误回答',
  followUps: '追问',
} as const;
export type ListKey = keyof typeof ZH_LISTS;

export interface ProofRef {
  lesson: string;
  /** the step's id: the slug of its English title (course/step-id.ts) */
  step: string;
  text: string;
}

export interface Question {
  id: string;
  file: string;
  source: string;
  topics: string[];
  difficulty: 1 | 2 | 3;
  proof: ProofRef[];
  /** the line of the front matter's `proof:` key, for lint messages */
  proofLine: number;
  written?: string;
  questionZh: string;
  questionEn: string;
  answerZh: string;
  answerEn: string;
  keyPoints: string[];
  wrongAnswers: string[];
  followUps: string[];
  /** the lists in Chinese (`## 要点`, `## 常见错误回答`, `## 追问`); absent while untranslated */
  zh: Partial<Record<ListKey, string[]>>;
  /** the question's own demo, as a lesson (id `q-<id>`) */
  demo?: Lesson;
}

export type Lang = 'zh' | 'en';

/** A question with something to run: lesson steps or a demo of its own. */
export function isLive(q: Question): boolean {
  return q.proof.length > 0 || q.demo !== undefined;
}

export function interviewDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BOXLAB_INTERVIEW ?? join(projectRoot(), 'interview');
}

export interface LoadedBank {
  questions: Question[];
  diagnostics: Diagnostic[];
}

/** Reads every interview/*.md (README.md excluded), sorted by file name. */
export function loadBank(dir: string): LoadedBank {
  const questions: Question[] = [];
  const diagnostics: Diagnostic[] = [];
  if (!existsSync(dir)) return { questions, diagnostics: [{ file: dir, line: 0, message: 'interview folder not found' }] };
  const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md').sort();
  for (const f of files) {
    const file = join(dir, f);
    const r = parseQuestion(readFileSync(file, 'utf8'), file);
    diagnostics.push(...r.diagnostics);
    if (r.question) {
      if (`${r.question.id}.md` !== f) diagnostics.push({ file, line: 2, message: `id "${r.question.id}" does not match the file name "${f}" — make them equal` });
      questions.push(r.question);
    }
  }
  questions.sort((a, b) => sourceOrder(a.source) - sourceOrder(b.source));
  return { questions, diagnostics };
}

/** Notes order: 000's questions, then 003 part 1, then part 2. */
export function sourceOrder(source: string): number {
  const m = /^(000|003):?(\d)?[#§](\d+)$/.exec(source);
  if (!m) return Number.MAX_SAFE_INTEGER;
  return (m[1] === '000' ? 0 : Number(m[2]) * 1000) + Number(m[3]);
}

interface Section { title: string; line: number; body: string[] }

/** Splits markdown at level-2 headings outside fenced blocks. */
function sections(lines: string[], firstLine: number): { head: string[]; list: Section[] } {
  const head: string[] = [];
  const list: Section[] = [];
  let fence: string | undefined;
  lines.forEach((l, i) => {
    const f = /^(```+|~~~+)/.exec(l);
    if (f) fence = fence === undefined ? f[1] : (l.startsWith(fence) ? undefined : fence);
    const h = fence === undefined ? /^## (.+?)\s*$/.exec(l) : null;
    if (h) list.push({ title: h[1]!, line: firstLine + i, body: [] });
    else (list.at(-1)?.body ?? head).push(l);
  });
  return { head, list };
}

const text = (body: string[]) => body.join('\n').trim();
/** `- item` lines (continuation lines indented) to items. */
function bullets(body: string[]): string[] {
  const items: string[] = [];
  for (const l of body) {
    const m = /^[-*]\s+(.*)$/.exec(l);
    if (m) items.push(m[1]!.trim());
    else if (l.trim() !== '' && items.length > 0) items[items.length - 1] += ` ${l.trim()}`;
  }
  return items;
}

export function parseQuestion(source: string, file: string): { question?: Question; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const report = (line: number, message: string) => diagnostics.push({ file, line, message });
  const src = source.replace(/\r\n?/g, '\n');
  const fm = /^---\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(src);
  if (!fm) {
    report(1, 'no front matter — start with "---", YAML (id, source, topics, difficulty, proof), "---"');
    return { diagnostics };
  }
  const y = parseYaml(fm[1]!);
  for (const e of y.errors) report(1 + e.line, `front matter YAML: ${e.message}`);
  if (y.errors.length > 0) return { diagnostics };
  const meta = frontMatterSchema.safeParse(y.doc.toJS() ?? {});
  if (!meta.success) {
    for (const issue of meta.error.issues) report(1 + y.lineOf(issue.path), `front matter ${describeIssue(issue)}`);
    return { diagnostics };
  }
  const fmLines = fm[0].split('\n').length - (fm[0].endsWith('\n') ? 1 : 0);
  const bodyLines = src.slice(fm[0].length).split('\n');
  const { list } = sections(bodyLines, fmLines + 1);
  const get = (title: string): Section | undefined => list.find((s) => s.title === title);
  const known = new Set<string>([...Object.values(SECTIONS), ...Object.values(ZH_LISTS), DEMO_SECTION]);
  for (const s of list) {
    if (!known.has(s.title) && !/^Step:/.test(s.title)) report(s.line, `unknown section "## ${s.title}" — sections are: ${[...known].join(', ')}`);
  }
  const found: Partial<Record<keyof typeof SECTIONS, Section>> = {};
  for (const [key, title] of Object.entries(SECTIONS) as [keyof typeof SECTIONS, string][]) {
    const s = get(title);
    if (!s || text(s.body) === '') report(s?.line ?? fmLines + 1, `missing or empty section "## ${title}"`);
    else found[key] = s;
  }
  const m = meta.data;
  const proof: ProofRef[] = m.proof.map((p) => {
    const [, lesson, step] = PROOF_RE.exec(p)!;
    return { lesson: lesson!, step: step!, text: p };
  });

  let demo: Lesson | undefined;
  const demoSec = get(DEMO_SECTION);
  if (demoSec) {
    // The demo is a lesson: synthesised front matter, then blank lines so that every line the lesson parser
    // reports is the line of the question file.
    const front = `---\nid: q-${m.id}\ntitle: "Demo: ${m.id}"\nsummary: The demo of interview question ${m.id}.\nminutes: 2\n---\n`;
    const pad = demoSec.line - front.split('\n').length + 1;
    const rest = bodyLines.slice(demoSec.line - fmLines).join('\n');
    const r = parseLesson(front + '\n'.repeat(Math.max(0, pad)) + rest, file);
    diagnostics.push(...r.diagnostics);
    if (r.lesson) {
      diagnostics.push(...lintLesson(r.lesson));
      demo = r.lesson;
    }
  }
  if (proof.length === 0 && !demo && m.written === undefined) {
    report(2, 'no proof — give proof: [LESSON#STEP], a "## Demo" section, or written: why nothing can be run');
  }
  if (diagnostics.length > 0 && Object.keys(found).length < Object.keys(SECTIONS).length) return { diagnostics };
  const question: Question = {
    id: m.id, file, source: m.source, topics: m.topics, difficulty: m.difficulty, proof, proofLine: 1 + y.lineOf(['proof']),
    ...(m.written !== undefined && { written: m.written }),
    questionZh: text(found.questionZh?.body ?? []), questionEn: text(found.questionEn?.body ?? []),
    answerZh: text(found.answerZh?.body ?? []), answerEn: text(found.answerEn?.body ?? []),
    keyPoints: bullets(found.keyPoints?.body ?? []), wrongAnswers: bullets(found.wrongAnswers?.body ?? []),
    followUps: bullets(found.followUps?.body ?? []),
    zh: {},
    ...(demo !== undefined && { demo }),
  };
  for (const [k, title] of Object.entries(ZH_LISTS) as [ListKey, string][]) {
    const sec = get(title);
    if (!sec) continue;
    const items = bullets(sec.body);
    if (items.length !== question[k].length) {
      report(sec.line, `"## ${title}" has ${items.length} item${items.length === 1 ? '' : 's'}, "## ${SECTIONS[k]}" has ${question[k].length} — one Chinese item per English one, in the same order`);
    }
    question.zh[k] = items;
  }
  for (const k of ['keyPoints', 'wrongAnswers', 'followUps'] as const) {
    if (question[k].length === 0 && found[k]) report(found[k].line, `"## ${SECTIONS[k]}" needs a list: one "- item" per line`);
  }
  return { question, diagnostics };
}
