import React, { useEffect, useMemo, useRef, useState } from 'react';
import { Box, Text } from 'ink';
import { interviewDir, isLive, loadBank, type Lang, type Question } from '../course/interview/bank.js';
import { checkQuestions } from '../course/interview/check.js';
import { answerText, listText, proofLine, questionText } from '../course/interview/export.js';
import { markOf, recordMark, type SelfMark } from '../course/interview/srs.js';
import { loadProgress, saveProgress, type Progress } from '../course/progress.js';
import type { RunEvent, SessionOptions } from '../course/runner.js';
import type { Lesson } from '../course/types.js';
import { bullets, Footer, heading, NotesBox, Page, type Row } from './InterviewParts.js';
import { messages, t, type Messages } from '../i18n/index.js';
import { clock, MOCK_MINUTES, pickEntries, queueFor, type PickEntry } from './interview-model.js';
import { useLatestInput } from './terminal.js';

export interface InterviewViewProps {
  questions: Question[];
  lessons: Lesson[];
  progressFile: string;
  sessionOptions: SessionOptions;
  width: number;
  height: number;
  lang?: Lang;
  onLeave: () => void;
  /** false while another screen (help) has the keys */
  active?: boolean;
}

// Proofs still running, so whoever quits the TUI can wait for their cleanup (boxlab exits right after).
const runningProofs = new Set<Promise<void>>();
export async function settleInterviewProofs(): Promise<void> {
  await Promise.all([...runningProofs]);
}

type Screen = 'pick' | 'question' | 'reveal' | 'evidence' | 'summary';

const MARK_KEYS: Record<string, SelfMark> = { 1: 'knew', 2: 'partly', 3: 'not-yet' };
const MARK_TEXT = (m: Messages): Record<SelfMark, string> => ({ knew: m.ivKnew, partly: m.ivPartly, 'not-yet': m.ivNotYet });
const MARK_COLOR: Record<SelfMark, string> = { knew: 'green', partly: 'yellow', 'not-yet': 'red' };

/**
 * Interview mode: pick questions (due for review, random, a timed mock interview, a topic), see a question
 * alone, type notes (or answer out loud), reveal the model answer and its key points, run the proof live
 * with its evidence and checks, and mark yourself; marks feed the Leitner schedule in the progress store.
 */
export function InterviewView(props: InterviewViewProps): React.ReactElement {
  const { questions, width, height } = props;
  const byId = useMemo(() => new Map(questions.map((q) => [q.id, q])), [questions]);
  const [progress, setProgress] = useState<Progress>(() => loadProgress(props.progressFile));
  const [lang, setLang] = useState<Lang>(props.lang ?? 'en');
  const [screen, setScreen] = useState<Screen>('pick');
  const [pick, setPick] = useState(0);
  const [queue, setQueue] = useState<string[]>([]);
  const [pos, setPos] = useState(0);
  const [mock, setMock] = useState<{ start: number; minutes: number } | undefined>(undefined);
  const [notes, setNotes] = useState('');
  const [offset, setOffset] = useState(0);
  const [evidence, setEvidence] = useState<Row[]>([]);
  const [running, setRunning] = useState(false);
  const [marked, setMarked] = useState<Record<string, SelfMark>>({});
  const [, tick] = useState(0);
  const abort = useRef<AbortController | undefined>(undefined);

  useEffect(() => {
    if (!mock || screen === 'summary' || screen === 'pick') return undefined;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [mock, screen]);

  const pageHeight = Math.max(4, height - 4);
  const entries = pickEntries(questions, progress, t());
  const q = byId.get(queue[pos] ?? '');

  const start = (entry: PickEntry) => {
    const ids = queueFor(entry, questions, progress);
    if (ids.length === 0) return;
    setQueue(ids);
    setMarked({});
    setMock(entry.kind === 'mock' ? { start: Date.now(), minutes: MOCK_MINUTES } : undefined);
    open(ids[0]!, 0);
  };

  const open = (id: string, at: number) => {
    setPos(at);
    setNotes(markOf(progress, id)?.notes ?? '');
    setEvidence([]);
    setOffset(0);
    setScreen('question');
  };

  const mark = (m: SelfMark) => {
    if (!q) return;
    const next = recordMark(structuredClone(progress), q.id, m, notes);
    try { saveProgress(props.progressFile, next); } catch { /* a read-only home must not stop the practice */ }
    setProgress(next);
    setMarked((x) => ({ ...x, [q.id]: m }));
    if (pos + 1 < queue.length) open(queue[pos + 1]!, pos + 1);
    else setScreen('summary');
  };

  const runProof = () => {
    if (!q || running || !isLive(q)) return;
    const rows: Row[] = [];
    // the page follows the newest evidence while the proof runs (↑ scrolls back)
    const push = (...r: Row[]) => {
      rows.push(...r);
      setEvidence([...rows]);
      setOffset(Math.max(0, rows.length + 1 - Math.floor(pageHeight * 0.7)));
    };
    const controller = new AbortController();
    abort.current = controller;
    setRunning(true);
    setScreen('evidence');
    setOffset(0);
    const onEvent = (e: RunEvent) => {
      if (e.type === 'command' && e.run.kind === 'action') push({ text: `$ ${e.run.command}${e.run.ok ? '' : `  (exit ${e.run.exitCode})`}`, color: e.run.ok ? 'green' : 'red', truncate: true });
      else if (e.type === 'observation') {
        for (const r of e.observation.runs) {
          push({ text: `$ ${r.command}`, color: 'green', truncate: true });
          const lines = r.stdout.replace(/\n$/, '').split('\n').filter((l) => l !== '');
          push(...lines.slice(0, 6).map((l) => ({ text: `  ${l}`, dim: true, truncate: true })));
          if (lines.length > 6) push({ text: t().ivMoreLines(lines.length - 6), dim: true });
        }
      } else if (e.type === 'check') {
        push({ text: `${e.result.passed ? '✓' : '✗'} ${e.result.proves}`, color: e.result.passed ? 'green' : 'red' });
        if (!e.result.passed) push({ text: `    ${e.result.detail}`, dim: true });
      } else if (e.type === 'step-end' && e.result.error !== undefined) push({ text: `✗ ${e.result.error}`, color: 'red' });
    };
    const done = checkQuestions([q], props.lessons, {
      ...props.sessionOptions, onEvent, signal: controller.signal,
      onProgress: (line) => push(heading(`▸ ${line}`)),
    }).then(([r]) => {
      push({ text: '' }, r?.ok ? { text: t().ivProofPassed, color: 'green', bold: true }
        : { text: t().ivProofFailed, color: 'red', bold: true });
    }, (e: unknown) => push({ text: `✗ ${(e as Error).message}`, color: 'red' })).finally(() => {
      setRunning(false);
      abort.current = undefined;
    });
    runningProofs.add(done);
    void done.finally(() => runningProofs.delete(done));
  };

  // leaving (or Ctrl-C) while a proof runs: stop after its running step; its cleanup still runs
  useEffect(() => () => abort.current?.abort(), []);

  const rows = q ? pageRows(q, screen, lang, notes, evidence) : [];
  const scroll = (d: number) => setOffset((o) => Math.max(0, Math.min(Math.max(0, rows.length - 1), o + d)));

  useLatestInput((input, key) => {
    if (props.active === false) return;
    if (key.ctrl && input === 'c') {
      if (running) { abort.current?.abort(); return; }
      props.onLeave();
      return;
    }
    if (screen === 'pick') {
      if (key.upArrow || input === 'k') setPick((p) => Math.max(0, p - 1));
      else if (key.downArrow || input === 'j') setPick((p) => Math.min(entries.length - 1, p + 1));
      else if (key.return && entries[pick]) start(entries[pick]);
      else if (input === 'l') setLang((l) => (l === 'en' ? 'zh' : 'en'));
      else if (input === 'q' || key.escape) props.onLeave();
      return;
    }
    if (screen === 'question') {
      // every printable key is the learner's notes; Tab reveals, Esc goes back
      if (key.tab) { setScreen('reveal'); setOffset(0); } else if (key.escape) setScreen('pick');
      else if (key.backspace || key.delete) setNotes((n) => n.slice(0, -1));
      else if (key.return) setNotes((n) => `${n}\n`);
      else if (input && !key.ctrl && !key.meta) setNotes((n) => n + input);
      return;
    }
    if (screen === 'summary') {
      if (key.return || key.escape || input === 'q') setScreen('pick');
      return;
    }
    // reveal and evidence
    if (key.upArrow || input === 'k') scroll(-1);
    else if (key.downArrow || input === 'j') scroll(1);
    else if (key.pageDown || input === ' ') scroll(pageHeight - 1);
    else if (key.pageUp) scroll(-(pageHeight - 1));
    else if (input === 'p') runProof();
    else if (input === 'e' && evidence.length > 0) { setScreen(screen === 'evidence' ? 'reveal' : 'evidence'); setOffset(0); }
    else if (input === 'a') { setScreen('reveal'); setOffset(0); }
    else if (input === 'l') setLang((l) => (l === 'en' ? 'zh' : 'en'));
    else if (MARK_KEYS[input] && !running) mark(MARK_KEYS[input]);
    else if (key.escape && !running) setScreen('question');
  });

  const m = t();
  const header = (right: string) => {
    const title = `${m.ivTitle}${q && screen !== 'pick' && screen !== 'summary' ? ` · ${pos + 1}/${queue.length} · ${q.id}` : ''}`;
    return (
      <Box width={width} justifyContent="space-between">
        <Text bold color="magentaBright" wrap="truncate-end">{title}</Text>
        <Text color={right.startsWith('⏱') && mock && mock.start + mock.minutes * 60_000 < Date.now() ? 'red' : 'gray'}>{right}</Text>
      </Box>
    );
  };
  const timer = mock ? (() => {
    const left = mock.start + mock.minutes * 60_000 - Date.now();
    return left >= 0 ? m.ivLeft(clock(left)) : m.ivOver(clock(-left));
  })() : '';

  if (screen === 'pick') {
    const marks = Object.values(progress.interview ?? {});
    const count = (m: SelfMark) => marks.filter((x) => x.last === m).length;
    const live = questions.filter(isLive).length;
    const listHeight = Math.max(3, height - 6);
    const first = Math.max(0, Math.min(pick - Math.floor(listHeight / 2), entries.length - listHeight));
    return (
      <Box flexDirection="column" width={width} height={height}>
        {header(lang === 'zh' ? '中文' : 'English')}
        <Text wrap="truncate-end">{m.ivStats(questions.length, live, marks.length, count('knew'), count('partly'), count('not-yet'))}</Text>
        <Box flexDirection="column" height={listHeight} marginTop={1} overflow="hidden">
          {entries.slice(first, first + listHeight).map((e, i) => (
            <Text key={e.label} wrap="truncate-end"><Text color="cyanBright">{first + i === pick ? '▸ ' : '  '}</Text><Text inverse={first + i === pick}>{e.label}</Text></Text>
          ))}
        </Box>
        <Footer text={m.ivPickFooter} />
      </Box>
    );
  }

  if (screen === 'summary') {
    const took = mock ? clock(Date.now() - mock.start) : '';
    return (
      <Box flexDirection="column" width={width} height={height}>
        {header('')}
        <Text bold>{m.ivDone(queue.length, took)}</Text>
        <Box flexDirection="column" marginTop={1} height={Math.max(3, height - 4)} overflow="hidden">
          {queue.map((id) => {
            const mk = marked[id];
            return <Text key={id} wrap="truncate-end"><Text {...(mk && { color: MARK_COLOR[mk] })}>{mk ? MARK_TEXT(m)[mk] : m.ivSkipped}</Text>{`  ${id}`}</Text>;
          })}
        </Box>
        <Footer text={m.ivBackToStart} />
      </Box>
    );
  }

  if (!q) return <Text color="red">{m.ivNoQuestion}</Text>;
  const footer = screen === 'question'
    ? m.ivQuestionFooter
    : `${isLive(q) ? (running ? m.ivRunningProof : m.ivRunProof) : ''}${evidence.length > 0 ? `e ${screen === 'evidence' ? m.ivAnswer : m.ivEvidence}  ` : ''}${m.ivRevealFooter}`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      {header(timer || `${q.topics.join(', ')} · ${'★'.repeat(q.difficulty)}`)}
      {screen === 'question' ? (
        <Box flexDirection="column" height={pageHeight + 1}>
          <Box marginTop={1} marginBottom={1}><Text bold wrap="wrap">{questionText(q, lang)}</Text></Box>
          <Text dimColor>{notes ? m.ivNotesKept : m.ivNotesType}</Text>
          <NotesBox notes={notes} width={width} height={Math.max(3, Math.min(10, pageHeight - 6))} active />
        </Box>
      ) : (
        <Box marginTop={1}><Page rows={rows} offset={offset} height={pageHeight} width={width} /></Box>
      )}
      <Footer text={footer} />
    </Box>
  );
}

function pageRows(q: Question, screen: Screen, lang: Lang, notes: string, evidence: Row[]): Row[] {
  const m = t();
  if (screen === 'evidence') return [heading(m.ivProof(proofLine(q))), ...evidence];
  return [
    { text: questionText(q, lang), bold: true },
    { text: '' },
    heading(messages(lang).ivModelAnswer), // beside the answer, in the answer's language
    { text: answerText(q, lang) },
    { text: '' },
    // the lists too follow the answer's language (English where the Chinese is not written yet)
    heading(messages(lang).ivKeyPoints), ...bullets(listText(q, 'keyPoints', lang), '✓'),
    { text: '' },
    heading(messages(lang).ivWrongAnswers), ...bullets(listText(q, 'wrongAnswers', lang), '✗'),
    { text: '' },
    heading(messages(lang).ivFollowUps), ...bullets(listText(q, 'followUps', lang), '?'),
    { text: '' },
    ...(notes.trim() ? [heading(m.ivYourNotes), ...notes.split('\n').map((l) => ({ text: l, color: 'yellow' }))] : []),
    { text: '' },
    isLive(q) ? { text: m.ivProofLive(proofLine(q)), color: 'cyan' } : { text: m.ivWrittenOnly(q.written ?? ''), dim: true },
  ];
}

/** Interview mode with its bank loaded from interview/ (the menu's entry point). */
export function InterviewMode(props: Omit<InterviewViewProps, 'questions'> & { dir?: string }): React.ReactElement {
  const questions = useMemo(() => loadBank(props.dir ?? interviewDir()).questions, [props.dir]);
  return <InterviewView {...props} questions={questions} />;
}
