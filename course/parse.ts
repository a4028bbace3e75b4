import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { marked, type Token, type Tokens } from 'marked';
import { parseYaml, yamlMapEntries } from './yaml-lines.js';
import { captureSchema, checkItemSchema, describeIssue, frontMatterSchema, NAME_RE } from './schema.js';
import type {
  Block, Capture, CgroupVersion, Check, CheckOps, CheckSubject, CleanupBlock, CommandLine, Diagnostic, Lesson,
  LessonMeta, RunnableBlock, Step,
} from './types.js';

export const RUNNABLE_KINDS = ['action', 'observe', 'capture', 'check', 'cleanup'] as const;
type Kind = (typeof RUNNABLE_KINDS)[number];

const ALLOWED_ATTRS: Record<Kind, readonly string[]> = {
  action: ['name', 'cgroup', 'expect', 'timeout'],
  observe: ['name', 'cgroup', 'before', 'after', 'changes', 'timeout'],
  capture: ['cgroup', 'timeout'],
  check: ['cgroup', 'timeout'],
  cleanup: ['cgroup', 'timeout'],
};

const STEP_RE = /^Step:\s*(.+)$/;

export interface ParseResult {
  /** present when the front matter could be read; may still have diagnostics */
  lesson?: Lesson;
  diagnostics: Diagnostic[];
}

export function isRunnableInfo(lang: string | undefined): boolean {
  const kind = (lang ?? '').trim().split(/\s+/)[0] ?? '';
  return (RUNNABLE_KINDS as readonly string[]).includes(kind);
}

export function parseLessonFile(file: string): ParseResult {
  return parseLesson(readFileSync(file, 'utf8'), file);
}

/** Parses lesson markdown into steps and blocks, collecting every problem with its line. */
export function parseLesson(source: string, file: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const report = (line: number, message: string) => diagnostics.push({ file, line, message });
  const text = source.replace(/\r\n?/g, '\n');

  const fm = /^---\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(text);
  if (!fm) {
    report(1, 'no front matter — start the file with a "---" line, YAML (id, title, summary, minutes), then "---"');
    return { diagnostics };
  }
  const meta = parseFrontMatter(fm[1] ?? '', 2, report);
  const bodyStartLine = fm[0].split('\n').length - (fm[0].endsWith('\n') ? 1 : 0) + 1;
  const body = text.slice(fm[0].length);
  const tokens = marked.lexer(body);

  const intro: Token[] = [];
  const outro: Token[] = [];
  const steps: Step[] = [];
  const cleanup: CleanupBlock[] = [];
  let current: Step | undefined;
  let inProse = false; // after a non-step level-2 heading
  let pos = 0;
  let line = bodyStartLine;

  for (const token of tokens) {
    const at = body.indexOf(token.raw, pos);
    if (at >= 0) {
      line += countNewlines(body, pos, at);
      pos = at;
    }
    const tokenLine = line;
    if (token.type === 'heading' && (token as Tokens.Heading).depth === 2) {
      const m = STEP_RE.exec((token as Tokens.Heading).text.trim());
      if (m) {
        const title = (m[1] ?? '').trim();
        if (steps.some((s) => s.title === title)) report(tokenLine, `duplicate step title "${title}" — step titles must be unique (progress is recorded by title)`);
        // prose under a non-step heading between two steps is shown with the step before it
        if (outro.length > 0) (current ? current.tokens : intro).push(...outro.splice(0));
        current = { index: steps.length, title, line: tokenLine, tokens: [], blocks: [] };
        steps.push(current);
        inProse = false;
        advance();
        continue;
      }
      inProse = true;
    }
    const sink = inProse ? outro : (current ? current.tokens : intro);
    sink.push(token);
    if (token.type === 'code' && isRunnableInfo((token as Tokens.Code).lang)) {
      const block = parseBlock(token as Tokens.Code, tokenLine, report);
      if (block?.kind === 'cleanup') cleanup.push(block);
      else if (block) {
        if (!current || inProse) report(tokenLine, `a ${block.kind} block must sit inside a step ("## Step: ..." heading above it)`);
        else current.blocks.push(block);
      }
    }
    advance();

    function advance() {
      line += countNewlines(body, pos, pos + token.raw.length);
      pos += token.raw.length;
    }
  }

  if (steps.length === 0) report(bodyStartLine, 'no steps — add at least one "## Step: <title>" heading with blocks under it');
  for (const step of steps) {
    if (step.blocks.length === 0) report(step.line, `step "${step.title}" has no action, observe, capture or check block`);
  }
  if (!meta) return { diagnostics };
  const lesson: Lesson = { meta, file, dir: dirname(file), intro, steps, outro, cleanup };
  return { lesson, diagnostics };
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

export type Report = (line: number, message: string) => void;

function parseFrontMatter(yamlText: string, firstLine: number, report: Report): LessonMeta | undefined {
  const y = parseYaml(yamlText);
  for (const e of y.errors) report(firstLine + e.line - 1, `front matter YAML: ${e.message}`);
  if (y.errors.length > 0) return undefined;
  const r = frontMatterSchema.safeParse(y.doc.toJS() ?? {});
  if (!r.success) {
    for (const issue of r.error.issues) report(firstLine + y.lineOf(issue.path) - 1, `front matter ${describeIssue(issue)}`);
    return undefined;
  }
  const m = r.data;
  return {
    id: m.id, title: m.title, summary: m.summary, minutes: m.minutes, prerequisites: m.prerequisites,
    ...(m.shell !== undefined && { shell: m.shell }),
    ...(m.cgroup !== undefined && { cgroup: m.cgroup }),
  };
}

interface Attrs {
  kind: Kind;
  values: Map<string, string | true>;
}

function parseInfo(info: string, line: number, report: Report): Attrs {
  const [kindWord, ...rest] = info.trim().split(/\s+/);
  const kind = kindWord as Kind;
  const values = new Map<string, string | true>();
  for (const part of rest) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? true : part.slice(eq + 1);
    if (!ALLOWED_ATTRS[kind].includes(key)) {
      report(line, `unknown attribute "${key}" on a ${kind} block — allowed: ${ALLOWED_ATTRS[kind].join(', ')}`);
      continue;
    }
    values.set(key, value);
  }
  return { kind, values };
}

/** One runnable fenced block (kind from its info string); also used by the task parser (course/tasks/). */
export function parseBlock(token: Tokens.Code, line: number, report: Report): Block | undefined {
  const { kind, values } = parseInfo(token.lang ?? '', line, report);
  const bodyLine = line + 1;
  const base: { line: number; cgroup?: CgroupVersion; timeoutMs?: number } = { line };
  const cg = values.get('cgroup');
  if (cg !== undefined) {
    if (cg === 'v1' || cg === 'v2') base.cgroup = cg;
    else report(line, `cgroup=${String(cg)}: use cgroup=v1 or cgroup=v2`);
  }
  const timeout = values.get('timeout');
  if (timeout !== undefined) {
    const s = Number(timeout);
    if (!Number.isFinite(s) || s <= 0) report(line, `timeout=${String(timeout)}: give a number of seconds, like timeout=120`);
    else base.timeoutMs = s * 1000;
  }
  if (token.text.trim() === '') {
    report(line, `empty ${kind} block — write its body or remove it`);
    return undefined;
  }
  const name = values.get('name');
  if (name !== undefined && (name === true || !NAME_RE.test(name))) {
    report(line, `name=${String(name)}: a name is letters, digits, "_", "-", dots to group (like uts or web.pid)`);
  }
  const okName = typeof name === 'string' && NAME_RE.test(name) ? name : undefined;

  switch (kind) {
    case 'action': {
      const commands = commandLines(token.text, bodyLine);
      for (const c of commands) {
        if (!/^boxlab(\s|$)/.test(c.text)) report(c.line, `action lines must be boxlab commands (found "${c.text.split(/\s/)[0]}") — put host commands in an observe block`);
      }
      const expect = values.get('expect');
      if (expect !== undefined && expect !== 'fail') report(line, `expect=${String(expect)}: the only expectation is expect=fail`);
      return { kind, ...base, commands, expectFail: expect === 'fail', ...(okName !== undefined && { name: okName }) };
    }
    case 'observe': {
      const before = values.has('before');
      const after = values.has('after');
      if (before && after) report(line, 'an observe block is either before or after, not both');
      if ((before || after) && okName === undefined) report(line, 'a before/after observation needs name=NAME so its pair can be found');
      if ((before && values.get('before') !== true) || (after && values.get('after') !== true)) report(line, 'write before/after as bare words: ```observe name=x before');
      const phase = before ? 'before' : after ? 'after' : undefined;
      if (values.has('changes') && values.get('changes') !== true) report(line, 'write changes as a bare word: ```observe name=x changes');
      return {
        kind, ...base, commands: commandLines(token.text, bodyLine), changes: values.has('changes'),
        ...(okName !== undefined && { name: okName }), ...(phase !== undefined && { phase }),
      };
    }
    case 'cleanup':
      return { kind, ...base, commands: commandLines(token.text, bodyLine) };
    case 'capture':
      return { kind, ...base, captures: parseCaptures(token.text, bodyLine, report) };
    case 'check':
      return { kind, ...base, checks: parseChecks(token.text, bodyLine, report) };
  }
}

/** Splits a block body into commands: `\` continues a line; blank and `#` lines are skipped. */
export function commandLines(body: string, firstLine: number): CommandLine[] {
  const out: CommandLine[] = [];
  const lines = body.split('\n');
  let pending: CommandLine | undefined;
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    if (!pending && (trimmed === '' || trimmed.startsWith('#'))) return;
    const cont = trimmed.endsWith('\\');
    const piece = cont ? trimmed.slice(0, -1).trimEnd() : trimmed;
    if (pending) pending.text += ` ${piece}`;
    else pending = { text: piece, line: firstLine + i };
    if (!cont) { out.push(pending); pending = undefined; }
  });
  if (pending) out.push(pending);
  return out;
}

function parseCaptures(body: string, firstLine: number, report: Report): Capture[] {
  const out: Capture[] = [];
  for (const { name, value, line } of yamlMapEntries(body, firstLine, report, 'capture', 'name: command')) {
    if (!NAME_RE.test(name)) { report(line, `capture name "${name}": use letters, digits, "_", "-", dots to group (like web.pid)`); continue; }
    const r = captureSchema.safeParse(value);
    if (!r.success) {
      const issues = r.error.issues.flatMap((i) => (i.code === 'invalid_union' ? i.errors.flat() : [i]));
      const custom = issues.find((i) => i.code === 'custom' || i.code === 'unrecognized_keys') ?? issues[0];
      report(line, `capture ${name}: ${custom ? describeIssue(custom) : 'give a command, or run:/from: with match:/json:'}`);
      continue;
    }
    const c = r.data;
    if (typeof c === 'string') out.push({ name, line, run: c });
    else {
      if (c.match !== undefined) {
        try { new RegExp(c.match, 'm'); } catch (e) { report(line, `capture ${name}: invalid regular expression: ${(e as Error).message}`); }
      }
      out.push({
        name, line,
        ...(c.run !== undefined && { run: c.run }), ...(c.from !== undefined && { from: c.from }),
        ...(c.match !== undefined && { match: c.match }), ...(c.json !== undefined && { json: c.json }),
      });
    }
  }
  return out;
}

function parseChecks(body: string, firstLine: number, report: Report): Check[] {
  const y = parseYaml(body);
  for (const e of y.errors) report(firstLine + e.line - 1, `check YAML: ${e.message}`);
  if (y.errors.length > 0) return [];
  const data: unknown = y.doc.toJS();
  if (!Array.isArray(data) || data.length === 0) {
    report(firstLine, 'a check block is a YAML list: each check starts with "- value:" / "- run:" / "- file:" and has proves:');
    return [];
  }
  const out: Check[] = [];
  data.forEach((item, i) => {
    const itemLine = firstLine + y.lineOf([i]) - 1;
    const r = checkItemSchema.safeParse(item);
    if (!r.success) {
      for (const issue of r.error.issues) {
        report(firstLine + y.lineOf([i, ...issue.path]) - 1, `check: ${describeIssue(issue)}`);
      }
      return;
    }
    const c = r.data;
    const subject: CheckSubject = c.value !== undefined ? { value: c.value } : c.run !== undefined ? { run: c.run } : { file: c.file! };
    const ops: CheckOps = {};
    for (const k of ['equals', 'differs', 'contains', 'lacks', 'matches', 'gt', 'gte', 'lt', 'lte'] as const) {
      if (c[k] !== undefined) ops[k] = c[k];
    }
    if (c.exit !== undefined) ops.exit = c.exit;
    if (c.exists !== undefined) ops.exists = c.exists;
    out.push({
      line: itemLine, subject, ops, proves: c.proves,
      ...(c.hint !== undefined && { hint: c.hint }), ...(c.cgroup !== undefined && { cgroup: c.cgroup }),
      ...(c.invariant !== undefined && { invariant: c.invariant }),
    });
  });
  return out;
}

export type { RunnableBlock };
