import React from 'react';
import { Box, Text } from 'ink';
import type { TraceEvent } from '../engine/sys/trace.js';
import type { CheckResult } from '../course/checks.js';
import type { CommandRun, Observation, StepResult } from '../course/runner.js';
import type { DiffLine } from '../course/diff.js';
import { expandTabs } from './text.js';
import { t } from '../i18n/index.js';
import { traceRows, type Phase } from './trace-view.js';

export function CheckLine({ result }: { result: CheckResult }): React.ReactElement {
  return (
    <Box flexDirection="column">
      <Text color={result.passed ? 'green' : 'red'}>{`${result.passed ? '✓' : '✗'} `}<Text color={undefined}>{result.proves}</Text></Text>
      {!result.passed ? <Text dimColor>{`    ${expandTabs(result.detail)}`}</Text> : null}
      {!result.passed && result.hint ? <Text color="yellow">{`    ${t().hint} ${result.hint}`}</Text> : null}
    </Box>
  );
}

function Output({ text, max, color }: { text: string; max: number; color?: string }): React.ReactElement | null {
  if (text.trim() === '') return null;
  const lines = text.replace(/\n$/, '').split('\n');
  const shown = lines.slice(0, max);
  return (
    <Box flexDirection="column" paddingLeft={2}>
      {shown.map((l, i) => <Text key={i} wrap="truncate-end" {...(color !== undefined && { color })}>{expandTabs(l) || ' '}</Text>)}
      {lines.length > max ? <Text dimColor>{t().moreLines(lines.length - max)}</Text> : null}
    </Box>
  );
}

function RunView({ run, max }: { run: CommandRun; max: number }): React.ReactElement {
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end"><Text color="green">$ </Text>{run.command}{run.ok ? '' : <Text color="red">{`  (exit ${run.exitCode})`}</Text>}</Text>
      <Output text={run.stdout} max={max} />
      {!run.ok ? <Output text={run.stderr} max={max} color="red" /> : null}
    </Box>
  );
}

/** Changed lines with one line of context around them; long unchanged runs become one "…". */
export function collapseDiff(diff: DiffLine[]): (DiffLine | 'gap')[] {
  const changed = (d: DiffLine | undefined) => d !== undefined && d.op !== ' ';
  const keep = diff.map((d, i) => changed(d) || changed(diff[i - 1]) || changed(diff[i + 1]));
  if (!diff.some(changed)) return [...diff.slice(0, 3), ...(diff.length > 3 ? ['gap' as const] : [])];
  const out: (DiffLine | 'gap')[] = [];
  diff.forEach((d, i) => {
    if (keep[i]) out.push(d);
    else if (out.at(-1) !== 'gap') out.push('gap');
  });
  return out;
}

function ObservationView({ obs, max }: { obs: Observation; max: number }): React.ReactElement {
  const title = `◉ ${obs.name ?? t().observation}${obs.phase ? ` (${obs.phase})` : ''}`;
  if (obs.diff) {
    const changed = obs.diff.some((d) => d.op !== ' ');
    return (
      <Box flexDirection="column">
        <Text color="blue">{title}<Text dimColor>{changed ? t().differenceFromBefore : t().noDifference}</Text></Text>
        {obs.runs.map((r, i) => <Text key={i} wrap="truncate-end"><Text color="green">$ </Text>{r.command}</Text>)}
        <Box flexDirection="column" paddingLeft={2}>
          {collapseDiff(obs.diff).slice(0, max * 2).map((d, i) => (
            d === 'gap'
              ? <Text key={i} dimColor>  …</Text>
              : <Text key={i} wrap="truncate-end" {...(d.op === '+' ? { color: 'green', bold: true } : d.op === '-' ? { color: 'red' } : { dimColor: true })}>
                {`${d.op} ${expandTabs(d.text)}`}
              </Text>
          ))}
        </Box>
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      <Text color="blue">{title}</Text>
      {obs.runs.map((r, i) => <RunView key={i} run={r} max={max} />)}
    </Box>
  );
}

/** Items of the evidence pane, most important first; scrolled item by item. */
export function evidenceItems(result: StepResult, maxLines: number): React.ReactElement[] {
  const items: React.ReactElement[] = [];
  const passed = result.checks.filter((c) => c.passed).length;
  items.push(
    <Text key="head" bold color={result.ok ? 'green' : 'red'}>
      {`${result.ok ? '✓' : '✗'} ${t().stepHeading(result.index + 1, result.title)}`}
      <Text dimColor>{result.checks.length > 0 ? t().checksCount(passed, result.checks.length) : ''}</Text>
    </Text>,
  );
  if (result.error !== undefined) {
    items.push(
      <Box key="err" flexDirection="column">
        <Text color="red">{`✗ ${result.error}`}</Text>
        {result.hint ? <Text color="yellow">{`  ${t().hint} ${result.hint}`}</Text> : null}
      </Box>,
    );
  }
  result.checks.forEach((c, i) => items.push(<CheckLine key={`c${i}`} result={c} />));
  if (result.error === undefined && !result.ok && result.hint && !result.checks.some((c) => !c.passed && c.hint)) {
    items.push(<Text key="hint" color="yellow">{`${t().hint} ${result.hint}`}</Text>);
  }
  // a "before" whose "after" ran in the same step is already inside the after's diff
  const paired = new Set(result.observations.filter((o) => o.phase === 'after' && o.diff).map((o) => o.name));
  result.observations.forEach((o, i) => {
    if (o.phase === 'before' && paired.has(o.name)) return;
    items.push(<ObservationView key={`o${i}`} obs={o} max={maxLines} />);
  });
  result.actions.forEach((a, i) => items.push(<RunView key={`a${i}`} run={a} max={maxLines} />));
  if (result.captures.length > 0) {
    items.push(
      <Box key="caps" flexDirection="column">
        {result.captures.map((c, i) => <Text key={i} wrap="truncate-end" color="magenta">{`⇢ ${c.name} = `}<Text color={undefined}>{expandTabs(c.value.split('\n')[0] ?? '')}</Text></Text>)}
      </Box>,
    );
  }
  return items;
}

export function EvidencePane({ result, height, offset, running }: { result?: StepResult | undefined; height: number; offset: number; running: boolean }): React.ReactElement {
  if (!result) {
    return <Text dimColor>{running ? t().evidenceRunning : t().evidenceEmpty}</Text>;
  }
  const items = evidenceItems(result, Math.max(3, height - 4));
  return (
    <Box flexDirection="column">
      {items.slice(Math.min(offset, items.length - 1)).map((item) => <Box key={item.key} flexShrink={0} flexDirection="column">{item}</Box>)}
    </Box>
  );
}

/** Container ids are 64 hex digits; 12 are enough to tell them apart on screen (as `docker ps` does). */
export function shortenIds(line: string): string {
  return line.replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1…');
}

function traceColor(e: TraceEvent): Record<string, string | boolean> {
  if (e.error !== undefined) return { color: 'red' };
  if (e.kind === 'command') return { color: 'yellow' };
  if (e.kind === 'note') return { dimColor: true };
  return { color: 'cyan' };
}

const PHASE_COLOR: Record<Phase, string> = {
  daemon: 'gray', api: 'white', create: 'magentaBright', start: 'blueBright', pool: 'gray', init: 'greenBright', exec: 'greenBright', exit: 'yellow',
};

/**
 * The engine's syscalls and host commands, newest at the bottom, under a heading per phase (create, start,
 * init …) with repeated calls folded into one line; `offset` scrolls back by rows.
 */
export function TracePane({ events, height, offset }: { events: TraceEvent[]; height: number; offset: number }): React.ReactElement {
  if (events.length === 0) return <Text dimColor>{t().traceEmpty}</Text>;
  const rows = traceRows(events);
  const end = Math.max(0, rows.length - offset);
  const shown = rows.slice(Math.max(0, end - height), end);
  return (
    <Box flexDirection="column">
      {shown.map((r, i) => (
        <Box key={i} flexShrink={0}>
          {r.kind === 'phase'
            ? <Text wrap="truncate-end" bold color={PHASE_COLOR[r.phase]}>{`▌${r.title}`}</Text>
            : <Text wrap="truncate-end" {...traceColor(r.event)}>{` ${shortenIds(r.text)}`}</Text>}
        </Box>
      ))}
    </Box>
  );
}
