import type { Lang, Question } from './bank.js';

const LABELS = {
  en: { title: 'boxlab — interview questions on container internals', answer: 'Model answer', key: 'Key points', wrong: 'Common wrong answers', follow: 'Follow-ups', proof: 'See it live', written: 'Written answer only', source: 'notes' },
  zh: { title: 'boxlab — 容器原理面试题', answer: '参考答案', key: 'Key points', wrong: 'Common wrong answers', follow: 'Follow-ups', proof: '动手验证', written: '仅书面答案', source: '笔记' },
} as const;

export function questionText(q: Question, lang: Lang): string {
  return lang === 'zh' ? q.questionZh : q.questionEn;
}

export function answerText(q: Question, lang: Lang): string {
  return lang === 'zh' ? q.answerZh : q.answerEn;
}

/** How to see the answer live: lesson steps, the question's demo, or why there is nothing to run. */
export function proofLine(q: Question): string {
  const parts = [...q.proof.map((p) => p.text), ...(q.demo ? [`boxlab interview check ${q.id}`] : [])];
  return parts.length > 0 ? parts.join(', ') : `— ${q.written ?? ''}`;
}

/** A printable Markdown sheet: every question with its model answer, key points, traps and follow-ups. */
export function exportMarkdown(questions: Question[], lang: Lang): string {
  const L = LABELS[lang];
  const out: string[] = [`# ${L.title}`, '', `${questions.length} questions.`, ''];
  questions.forEach((q, i) => {
    out.push(`## ${i + 1}. ${questionText(q, lang).replace(/\n+/g, ' ')}`, '');
    out.push(`*${q.topics.join(', ')} · ${'★'.repeat(q.difficulty)} · ${L.source} ${q.source} · ${q.id}*`, '');
    out.push(`**${L.answer}.** ${answerText(q, lang)}`, '');
    out.push(`**${L.key}:**`, ...q.keyPoints.map((k) => `- ${k}`), '');
    out.push(`**${L.wrong}:**`, ...q.wrongAnswers.map((k) => `- ${k}`), '');
    out.push(`**${L.follow}:**`, ...q.followUps.map((k) => `- ${k}`), '');
    out.push(`**${q.proof.length > 0 || q.demo ? L.proof : L.written}:** ${proofLine(q)}`, '');
  });
  return `${out.join('\n').trimEnd()}\n`;
}
