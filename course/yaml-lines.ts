import { LineCounter, parseDocument, isMap, isSeq, isPair, isScalar, type Document, type Node } from 'yaml';

/** A YAML document plus a way to find the file line of any node in it. */
export interface LocatedYaml {
  doc: Document.Parsed;
  /** 1-based line (in the YAML text) where `path` starts, or of the nearest parent that exists */
  lineOf(path: readonly PropertyKey[]): number;
  /** YAML syntax errors with their 1-based line */
  errors: { line: number; message: string }[];
}

export function parseYaml(text: string): LocatedYaml {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => lc.linePos(offset).line;
  const errors = doc.errors.map((e) => {
    let message = e.message.split('\n')[0] ?? e.message;
    // the commonest slip in lesson YAML: an unquoted sentence with ": " in it
    if (/Nested mappings are not allowed|Implicit map keys need to be/.test(message)) message += ' — a value containing ": " must be quoted: proves: "..."';
    return { line: lineAt(e.pos[0]), message };
  });
  function lineOf(path: readonly PropertyKey[]): number {
    let node: unknown = doc.contents;
    let line = node && (node as Node).range ? lineAt((node as Node).range![0]) : 1;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
        if (!pair) break;
        const k = pair.key as Node;
        if (k.range) line = lineAt(k.range[0]);
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(key)] as Node | undefined;
        if (!item) break;
        if (item.range) line = lineAt(item.range[0]);
        node = item;
      } else break;
    }
    return line;
  }
  return { doc, lineOf, errors };
}

/**
 * A block whose YAML is a mapping of names (a lesson's captures, a task's params): each entry with the file
 * line of its name. Syntax errors, and a block that is not a mapping, are reported — `kind` names the block,
 * `shape` shows one line of it — and give no entries.
 */
export function yamlMapEntries(text: string, firstLine: number, report: (line: number, message: string) => void, kind: string, shape: string):
  { name: string; value: unknown; line: number }[] {
  const y = parseYaml(text);
  for (const e of y.errors) report(firstLine + e.line - 1, `${kind} YAML: ${e.message}`);
  if (y.errors.length > 0) return [];
  const data: unknown = y.doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    report(firstLine, `a ${kind} block is a YAML mapping: "${shape}" per line`);
    return [];
  }
  return Object.entries(data as Record<string, unknown>).map(([name, value]) => ({ name, value, line: firstLine + y.lineOf([name]) - 1 }));
}
