import type { InterviewMark, Progress } from '../progress.js';

/**
 * Spaced repetition over the learner's self-marks: a Leitner system with five boxes. "knew it" moves a
 * question up a box, "partly" keeps it where it is, "not yet" sends it back to box 1. A question is due
 * again once its box's interval has passed since it was last marked; unmarked questions are always due.
 * Leitner rather than SM-2: three honest self-marks do not carry the 0–5 grades SM-2 needs.
 */
export type SelfMark = InterviewMark['last'];
export const MARKS: readonly SelfMark[] = ['knew', 'partly', 'not-yet'];
/** review interval of each box, in days (index = box) */
export const BOX_DAYS = [0, 0, 1, 3, 7, 21] as const;
const DAY = 86_400_000;

export function markOf(p: Progress, id: string): InterviewMark | undefined {
  return p.interview?.[id];
}

export function recordMark(p: Progress, id: string, mark: SelfMark, notes: string | undefined, now = new Date()): Progress {
  const prev = markOf(p, id);
  const box = mark === 'knew' ? Math.min(5, (prev?.box ?? 1) + 1) : mark === 'partly' ? (prev?.box ?? 1) : 1;
  const keepNotes = notes !== undefined && notes.trim() !== '' ? notes : prev?.notes;
  p.interview = {
    ...p.interview,
    [id]: { box, last: mark, at: now.toISOString(), seen: (prev?.seen ?? 0) + 1, ...(keepNotes !== undefined && { notes: keepNotes }) },
  };
  return p;
}

export function isDue(m: InterviewMark | undefined, now = new Date()): boolean {
  if (!m) return true;
  return Date.parse(m.at) + BOX_DAYS[m.box]! * DAY <= now.getTime();
}

/** Ids due for review, the weakest first (lowest box, then longest unseen); unmarked ones after the failed. */
export function dueQuestions(p: Progress, ids: string[], now = new Date()): string[] {
  return ids.filter((id) => isDue(markOf(p, id), now)).sort((a, b) => {
    const ma = markOf(p, a);
    const mb = markOf(p, b);
    const ra = ma ? ma.box : 1.5;
    const rb = mb ? mb.box : 1.5;
    if (ra !== rb) return ra - rb;
    return (ma ? Date.parse(ma.at) : 0) - (mb ? Date.parse(mb.at) : 0);
  });
}
