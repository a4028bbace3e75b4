import type { Question } from '../course/interview/bank.js';
import { messages, type Messages } from '../i18n/index.js';
import { dueQuestions } from '../course/interview/srs.js';
import type { Progress } from '../course/progress.js';

/** What interview mode's start screen offers: review, one at random, a timed mock, or one topic. */
export interface PickEntry {
  label: string;
  kind: 'due' | 'random' | 'mock' | 'topic' | 'all';
  topic?: string;
}

export const MOCK_QUESTIONS = 5;
export const MOCK_MINUTES = 15;

export function pickEntries(questions: Question[], progress: Progress, m: Messages = messages('en')): PickEntry[] {
  const due = dueQuestions(progress, questions.map((q) => q.id)).length;
  const topics = new Map<string, number>();
  for (const q of questions) for (const t of q.topics) topics.set(t, (topics.get(t) ?? 0) + 1);
  return [
    { kind: 'due', label: m.ivDue(due) },
    { kind: 'random', label: m.ivRandom },
    { kind: 'mock', label: m.ivMock(MOCK_QUESTIONS, MOCK_MINUTES) },
    { kind: 'all', label: m.ivAll(questions.length) },
    ...[...topics].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t, n]) => ({ kind: 'topic' as const, topic: t, label: m.ivTopic(t, n) })),
  ];
}

function shuffled<T>(items: T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** The question ids a pick puts in the queue, in the order they will be asked. */
export function queueFor(entry: PickEntry, questions: Question[], progress: Progress, random: () => number = Math.random): string[] {
  const ids = questions.map((q) => q.id);
  switch (entry.kind) {
    case 'due': return dueQuestions(progress, ids);
    case 'random': return shuffled(ids, random).slice(0, 1);
    case 'mock': {
      // weighted towards what is due, so a mock interview also serves the review
      const due = new Set(dueQuestions(progress, ids));
      return shuffled(ids, random).sort((a, b) => Number(due.has(b)) - Number(due.has(a))).slice(0, MOCK_QUESTIONS);
    }
    case 'all': return ids;
    case 'topic': return questions.filter((q) => q.topics.includes(entry.topic!)).map((q) => q.id);
  }
}

export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
