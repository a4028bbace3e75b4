import { stepId } from '../step-id.js';
import type { Diagnostic, Lesson } from '../types.js';
import { ZH_LISTS, type ListKey, type Question } from './bank.js';
import { normalise, type NoteQuestion } from './notes.js';

/** Every proof id names a lesson and one of its steps, by the step's id (course/step-id.ts). */
export function lintProofs(questions: Question[], lessons: Lesson[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byId = new Map(lessons.map((l) => [l.meta.id, l]));
  for (const q of questions) {
    for (const p of q.proof) {
      const l = byId.get(p.lesson);
      if (!l) { out.push({ file: q.file, line: q.proofLine, message: `proof ${p.text}: no lesson "${p.lesson}" — \`boxlab lessons\` lists them` }); continue; }
      const matching = l.steps.filter((s) => stepId(s) === p.step);
      if (matching.length === 0) {
        out.push({ file: q.file, line: q.proofLine, message: `proof ${p.text}: ${p.lesson} has no step with that id (a renamed step?) — its steps: ${l.steps.map(stepId).join(', ')}` });
      } else if (matching.length > 1) {
        out.push({ file: q.file, line: q.proofLine, message: `proof ${p.text}: ${matching.length} steps of ${p.lesson} have that id (titles differing only in punctuation) — make their titles differ in words` });
      }
    }
  }
  return out;
}


/** Resolves a proof's step id to the step's 0-based index in its lesson, or -1. */
export function proofStepIndex(lesson: Lesson, step: string): number {
  return lesson.steps.findIndex((s) => stepId(s) === step);
}
/** Every question has its key points, wrong answers and follow-ups in Chinese too (`## 要点`, `## 常见错误回答`, `## 追问`). */
export function lintChineseLists(questions: Question[]): Diagnostic[] {
  return questions.flatMap((q) => (Object.entries(ZH_LISTS) as [ListKey, string][])
    .filter(([k]) => q.zh[k] === undefined)
    .map(([k, title]) => ({ file: q.file, line: 1, message: `no "## ${title}" — the ${k === 'keyPoints' ? 'key points' : k === 'wrongAnswers' ? 'wrong answers' : 'follow-ups'} in Chinese, one "- 条目" per English item, in the same order` })));
}

/** Ids and sources are unique. */
export function lintUnique(questions: Question[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const key of ['id', 'source'] as const) {
    const seen = new Map<string, string>();
    for (const q of questions) {
      const prev = seen.get(q[key]);
      if (prev !== undefined) out.push({ file: q.file, line: 2, message: `${key} "${q[key]}" is also used by ${prev}` });
      seen.set(q[key], q.file);
    }
  }
  return out;
}

/**
 * Every question of the notes has a question file, and that file asks it in the notes' own words (its
 * `## 问题` holds the heading's text).
 */
export function lintCoverage(questions: Question[], notes: NoteQuestion[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const bySource = new Map(questions.map((q) => [q.source, q]));
  for (const n of notes) {
    const q = bySource.get(n.ref);
    if (!q) { out.push({ file: 'interview/', line: 0, message: `no question file has source: "${n.ref}" (${n.heading}) — add one` }); continue; }
    if (!normalise(q.questionZh).includes(normalise(n.heading))) {
      out.push({ file: q.file, line: 2, message: `## 问题 does not hold the notes' wording of ${n.ref}: "${n.heading}"` });
    }
  }
  const refs = new Set(notes.map((n) => n.ref));
  for (const q of questions) {
    if (!refs.has(q.source)) out.push({ file: q.file, line: 2, message: `source "${q.source}" is not a question of the notes` });
  }
  return out;
}
