import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { marked, type Token, type Tokens } from 'marked';
import { commandLines, parseBlock, type Report } from '../parse.js';
import { BUILTIN_VALUES, placeholdersIn } from '../placeholders.js';
import { describeIssue, NAME_RE } from '../schema.js';
import type { CgroupVersion, Diagnostic } from '../types.js';
import { parseYaml, yamlMapEntries } from '../yaml-lines.js';
import { hintsSchema, paramSpecSchema, taskFrontMatterSchema } from './schema.js';
import type { CommandBlock, Param, Task, TaskFile } from './types.js';

export const TASKS_FILE = 'tasks.md';

const TASK_RE = /^Task:\s*(.+)$/;
/** block kinds of a task file; check, capture and observe are the lesson's own (parsed by course/parse.ts) */
const TASK_KINDS = ['params', 'setup', 'hints', 'solution', 'cleanup', 'check', 'capture', 'observe'] as const;
const COMMAND_ATTRS = ['cgroup', 'timeout'];

export interface TaskParseResult {
  tasks?: TaskFile;
  diagnostics: Diagnostic[];
}

/** `lessons/<id>/tasks.md` if the lesson has one. */
export function tasksFileOf(lessonDir: string): string | undefined {
  const f = join(lessonDir, TASKS_FILE);
  return existsSync(f) ? f : undefined;
}

export function parseTasksFile(file: string): TaskParseResult {
  return parseTasks(readFileSync(file, 'utf8'), file);
}

/** Parses a task file into tasks, collecting every problem with its line (like parseLesson). */
export function parseTasks(source: string, file: string): TaskParseResult {
  const diagnostics: Diagnostic[] = [];
  const report: Report = (line, message) => diagnostics.push({ file, line, message });
  const text = source.replace(/\r\n?/g, '\n');
  const fm = /^---\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(text);
  if (!fm) {
    report(1, 'no front matter — start the file with "---", "lesson: <id>", "---"');
    return { diagnostics };
  }
  const y = parseYaml(fm[1] ?? '');
  for (const e of y.errors) report(1 + e.line, `front matter YAML: ${e.message}`);
  const meta = taskFrontMatterSchema.safeParse(y.errors.length > 0 ? {} : y.doc.toJS() ?? {});
  if (!meta.success) for (const i of meta.error.issues) report(1 + y.lineOf(i.path), `front matter ${describeIssue(i)}`);

  const body = text.slice(fm[0].length);
  let line = fm[0].split('\n').length - (fm[0].endsWith('\n') ? 1 : 0) + 1;
  let pos = 0;
  const tasks: Task[] = [];
  let current: Task | undefined;
  for (const token of marked.lexer(body)) {
    const at = body.indexOf(token.raw, pos);
    if (at >= 0) { line += newlines(body, pos, at); pos = at; }
    const tokenLine = line;
    line += newlines(body, pos, pos + token.raw.length);
    pos += token.raw.length;

    if (token.type === 'heading' && (token as Tokens.Heading).depth === 2) {
      const m = TASK_RE.exec((token as Tokens.Heading).text.trim());
      if (!m) { report(tokenLine, 'a task file has only "## Task: <title>" sections at level 2'); continue; }
      const title = (m[1] ?? '').trim();
      if (tasks.some((t) => t.title === title)) report(tokenLine, `duplicate task title "${title}" — titles must be unique (progress is recorded by title)`);
      current = { index: tasks.length, title, line: tokenLine, goal: [], params: [], setup: [], checks: [], hints: [], solution: [], cleanup: [] };
      tasks.push(current);
      continue;
    }
    const kind = token.type === 'code' ? ((token as Tokens.Code).lang ?? '').trim().split(/\s+/)[0] ?? '' : '';
    if (!(TASK_KINDS as readonly string[]).includes(kind)) {
      current?.goal.push(token);
      continue;
    }
    if (!current) { report(tokenLine, `a ${kind} block must sit inside a task ("## Task: ..." heading above it)`); continue; }
    addBlock(current, kind as (typeof TASK_KINDS)[number], token as Tokens.Code, tokenLine, report);
  }

  if (tasks.length === 0) report(line, 'no tasks — add at least one "## Task: <title>" section');
  for (const t of tasks) lintTask(t, report);
  if (!meta.success) return { diagnostics };
  return {
    tasks: { lesson: meta.data.lesson, file, dir: dirname(file), solutionAfter: meta.data.solution_after, tasks },
    diagnostics,
  };
}

function newlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

function addBlock(task: Task, kind: (typeof TASK_KINDS)[number], token: Tokens.Code, line: number, report: Report): void {
  switch (kind) {
    case 'check': case 'capture': case 'observe': {
      const b = parseBlock(token, line, report);
      if (b && b.kind !== 'action' && b.kind !== 'cleanup') task.checks.push(b);
      return;
    }
    case 'cleanup': {
      const b = commandBlock(token, line, report);
      if (b) task.cleanup.push({ kind: 'cleanup', ...b });
      return;
    }
    case 'setup': case 'solution': {
      const b = commandBlock(token, line, report);
      if (b) task[kind].push(b);
      return;
    }
    case 'params': {
      if (task.params.length > 0) report(line, 'one params block per task');
      task.params.push(...parseParams(token.text, line + 1, report));
      return;
    }
    case 'hints': {
      const y = parseYaml(token.text);
      for (const e of y.errors) report(line + e.line, `hints YAML: ${e.message}`);
      const r = hintsSchema.safeParse(y.errors.length > 0 ? null : y.doc.toJS());
      if (!r.success) report(line + 1, describeIssue(r.error.issues[0]!));
      else task.hints.push(...r.data);
      return;
    }
  }
}

function commandBlock(token: Tokens.Code, line: number, report: Report): CommandBlock | undefined {
  const [kind, ...attrs] = (token.lang ?? '').trim().split(/\s+/);
  const out: CommandBlock = { line, commands: commandLines(token.text, line + 1) };
  for (const a of attrs) {
    const [key, value] = a.split('=');
    if (!COMMAND_ATTRS.includes(key ?? '')) { report(line, `unknown attribute "${key}" on a ${kind} block — allowed: ${COMMAND_ATTRS.join(', ')}`); continue; }
    if (key === 'cgroup') {
      if (value === 'v1' || value === 'v2') out.cgroup = value as CgroupVersion;
      else report(line, `cgroup=${value}: use cgroup=v1 or cgroup=v2`);
    } else {
      const s = Number(value);
      if (!Number.isFinite(s) || s <= 0) report(line, `timeout=${value}: give a number of seconds, like timeout=120`);
      else out.timeoutMs = s * 1000;
    }
  }
  if (out.commands.length === 0) { report(line, `empty ${kind} block — write its commands or remove it`); return undefined; }
  return out;
}

function parseParams(text: string, firstLine: number, report: Report): Param[] {
  const out: Param[] = [];
  for (const { name, value, line } of yamlMapEntries(text, firstLine, report, 'params', 'name: {pick: [a, b]}')) {
    if (!NAME_RE.test(name)) { report(line, `param name "${name}": use letters, digits, "_", "-"`); continue; }
    const r = paramSpecSchema.safeParse(value);
    if (!r.success) { report(line, `param ${name}: give one of {pick: [a, b, ...]}, {range: [low, high]}, {word: LENGTH}, {mul: [param, N]}, {text: "..{{param}}.."}`); continue; }
    out.push({ name, line, spec: r.data as Param['spec'] });
  }
  return out;
}

/** Placeholders must name a param, a built-in, or a value an earlier block of the task defined. */
function lintTask(task: Task, report: Report): void {
  if (task.checks.every((b) => b.kind !== 'check')) report(task.line, `task "${task.title}" has no check block — the checks define "done"`);
  if (task.solution.length === 0) report(task.line, `task "${task.title}" has no solution block — CI solves every task with it`);
  if (task.hints.length === 0) report(task.line, `task "${task.title}" has no hints block (nudge, flag, command)`);
  const known = new Set<string>(BUILTIN_VALUES);
  const use = (text: string, line: number) => {
    for (const p of placeholdersIn(text)) if (!known.has(p)) report(line, `{{${p}}} is not a param, a built-in or an earlier capture of this task`);
  };
  for (const p of task.params) {
    if ('text' in p.spec) use(p.spec.text, p.line);
    if ('mul' in p.spec && !known.has(p.spec.mul[0])) report(p.line, `param ${p.name}: mul: names "${p.spec.mul[0]}", not an earlier param`);
    known.add(p.name);
  }
  // setup, solution, cleanup and hints see only the params: captures belong to the checks
  const paramsOnly = new Set(known);
  const useParams = (text: string, line: number) => {
    for (const p of placeholdersIn(text)) if (!paramsOnly.has(p)) report(line, `{{${p}}} is not a param or a built-in (setup, solution, cleanup and hints see only those)`);
  };
  for (const b of [...task.setup, ...task.solution, ...task.cleanup]) for (const c of b.commands) useParams(c.text, c.line);
  task.hints.forEach((h) => useParams(h, task.line));
  for (const b of task.checks) {
    if (b.kind === 'observe') {
      for (const c of b.commands) use(c.text, c.line);
      if (b.name) known.add(b.name);
    } else if (b.kind === 'capture') {
      for (const c of b.captures) {
        if (c.run) use(c.run, c.line);
        if (c.from && !known.has(c.from)) report(c.line, `capture ${c.name}: from: ${c.from} is not defined earlier`);
        known.add(c.name);
      }
    } else {
      for (const c of b.checks) {
        const s = c.subject;
        use('value' in s ? s.value : 'run' in s ? s.run : s.file, c.line);
        for (const v of Object.values(c.ops)) if (typeof v === 'string') use(v, c.line);
      }
    }
  }
}
