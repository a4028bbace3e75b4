import React from 'react';
import { Box, Text } from 'ink';
import { formatTrace, type TraceEvent } from '../engine/sys/trace.js';
import type { CheckResult } from '../course/checks.js';
import type { CommandRun, Observation, StepResult } from '../course/runner.js';

export function CheckLine({ result }: { result: CheckResult }): React.ReactElement {
  return (
    <Box flexDirection="column">
      <Text color={result.passed ? 'green' : 'red'}>{`${result.passed ? '✓' : '✗'} `}<Text color={undefined}>{result.proves}</Text></Text>
      {!result.passed ? <Text dimColor>{`    ${result.detail}`}</Text> : null}
      {!result.passed && result.hint ? <Text color="yellow">{`    hint: ${result.hint}`}</Text> : null}
    </Box>
  );
}

function Output({ text, max, color }: { text: string; max: number; color?: string }): React.ReactElement | null {
  if (text.trim() === '') return null;
  const lines = text.replace(/\n$/, '').split('\n');
  const shown = lines.slice(0, max);
  return (
    <Box flexDirection="column" paddingLeft={2}>
      {shown.map((l, i) => <Text key={i} wrap="truncate-end" {...(color !== undefined && { color })}>{l || ' '}</Text>)}
      {lines.length > max ? <Text dimColor>{`… ${lines.length - max} more lines`}</Text> : null}
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

function ObservationView({ obs, max }: { obs: Observation; max: number }): React.ReactElement {
  const title = `◉ ${obs.name ?? 'observation'}${obs.phase ? ` (${obs.phase})` : ''}`;
  if (obs.diff) {
    const changed = obs.diff.some((d) => d.op !== ' ');
    return (
      <Box flexDirection="column">
        <Text color="blue">{title}<Text dimColor>{changed ? '  — difference from before:' : '  — no difference from before'}</Text></Text>
        {obs.runs.map((r, i) => <Text key={i} wrap="truncate-end"><Text color="green">$ </Text>{r.command}</Text>)}
        <Box flexDirection="column" paddingLeft={2}>
          {obs.diff.slice(0, max * 2).map((d, i) => (
            <Text key={i} wrap="truncate-end" {...(d.op === '+' ? { color: 'green', bold: true } : d.op === '-' ? { color: 'red' } : { dimColor: true })}>
              {`${d.op} ${d.text}`}
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
      {`${result.ok ? '✓' : '✗'} Step ${result.index + 1}: ${result.title}`}
      <Text dimColor>{result.checks.length > 0 ? `  ${passed}/${result.checks.length} checks` : ''}</Text>
    </Text>,
  );
  if (result.error !== undefined) {
    items.push(
      <Box key="err" flexDirection="column">
        <Text color="red">{`✗ ${result.error}`}</Text>
        {result.hint ? <Text color="yellow">{`  hint: ${result.hint}`}</Text> : null}
      </Box>,
    );
  }
  result.checks.forEach((c, i) => items.push(<CheckLine key={`c${i}`} result={c} />));
  if (result.error === undefined && !result.ok && result.hint && !result.checks.some((c) => !c.passed && c.hint)) {
    items.push(<Text key="hint" color="yellow">{`hint: ${result.hint}`}</Text>);
  }
  result.observations.forEach((o, i) => items.push(<ObservationView key={`o${i}`} obs={o} max={maxLines} />));
  result.actions.forEach((a, i) => items.push(<RunView key={`a${i}`} run={a} max={maxLines} />));
  if (result.captures.length > 0) {
    items.push(
      <Box key="caps" flexDirection="column">
        {result.captures.map((c, i) => <Text key={i} wrap="truncate-end" color="magenta">{`⇢ ${c.name} = `}<Text color={undefined}>{c.value.split('\n')[0]}</Text></Text>)}
      </Box>,
    );
  }
  return items;
}

export function EvidencePane({ result, height, offset, running }: { result?: StepResult | undefined; height: number; offset: number; running: boolean }): React.ReactElement {
  if (!result) {
    return <Text dimColor>{running ? 'running… the evidence appears here when the step is done' : 'Run the step (⏎) to see the evidence here.'}</Text>;
  }
  const items = evidenceItems(result, Math.max(3, height - 4));
  return (
    <Box flexDirection="column">
      {items.slice(Math.min(offset, items.length - 1)).map((item) => <Box key={item.key} flexShrink={0} flexDirection="column">{item}</Box>)}
    </Box>
  );
}

function traceColor(e: TraceEvent): Record<string, string | boolean> {
  if (e.error !== undefined) return { color: 'red' };
  if (e.kind === 'command') return { color: 'yellow' };
  if (e.kind === 'note') return { dimColor: true };
  return { color: 'cyan' };
}

/** The engine's syscalls and host commands, newest at the bottom; `offset` scrolls back. */
export function TracePane({ events, height, offset }: { events: TraceEvent[]; height: number; offset: number }): React.ReactElement {
  if (events.length === 0) return <Text dimColor>No trace yet: it streams here while a step's boxlab commands run.</Text>;
  const end = Math.max(0, events.length - offset);
  const shown = events.slice(Math.max(0, end - height), end);
  return (
    <Box flexDirection="column">
      {shown.map((e, i) => <Box key={i} flexShrink={0}><Text wrap="truncate-end" {...traceColor(e)}>{formatTrace(e)}</Text></Box>)}
    </Box>
  );
}
