import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A lesson that uses every block kind; other tests mutate it to make each bad form. */
export const GOOD_LESSON = `---
id: 01-demo
title: "Demo: a hostname of its own"
summary: Shows every block kind.
minutes: 5
prerequisites: [00-base]
shell: demo-web
---

# Demo

Intro with *emphasis*.

\`\`\`cleanup
boxlab rm -f demo-web 2>/dev/null || true
\`\`\`

## Step: Start it

\`\`\`observe name=hn before
hostname
\`\`\`

\`\`\`action name=started
boxlab run -d --name demo-web --hostname lab \\
  busybox sleep 600
\`\`\`

\`\`\`capture
web.pid: boxlab inspect -f '{{.State.Pid}}' demo-web
web.uts:
  run: readlink /proc/{{web.pid}}/ns/uts
  match: 'uts:\\[(\\d+)\\]'
\`\`\`

## Step: Look at it

\`\`\`observe name=hn after
hostname
\`\`\`

\`\`\`check
- value: "{{web.pid}}"
  matches: '^\\d+$'
  proves: The container is a process with a pid on the host.
  hint: Look at the evidence pane.
- run: echo {{web.uts}}
  differs: "0"
  hint: look at /proc
  proves: The namespace has an inode number of its own.
- file: /proc/{{web.pid}}
  exists: true
  cgroup: v1
  proves: The process shows up in the host's /proc.
  hint: Look at the evidence pane.
\`\`\`

## What you learned

Outro.
`;

export const BASE_LESSON = `---
id: 00-base
title: Base
summary: Base lesson.
minutes: 1
---

## Step: Only

\`\`\`check
- value: "a"
  equals: a
  proves: Nothing at all but a sentence long enough.
  hint: Look at the evidence pane.
\`\`\`
`;

/** A temporary lessons/ folder holding the given lessons (folder = id from front matter or key). */
export function lessonsFolder(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'boxlab-lessons-'));
  for (const [id, text] of Object.entries(files)) {
    mkdirSync(join(dir, id));
    writeFileSync(join(dir, id, 'lesson.md'), text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** 1-based line of the first line containing `needle` in `text`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`fixture has no line with ${needle}`);
  return i + 1;
}
