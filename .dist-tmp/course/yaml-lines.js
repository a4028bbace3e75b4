import { LineCounter, parseDocument, isMap, isSeq, isPair, isScalar } from 'yaml';
export function parseYaml(text) {
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
    const lineAt = (offset) => lc.linePos(offset).line;
    const errors = doc.errors.map((e) => {
        let message = e.message.split('\n')[0] ?? e.message;
        // the commonest slip in lesson YAML: an unquoted sentence with ": " in it
        if (/Nested mappings are not allowed|Implicit map keys need to be/.test(message))
            message += ' — a value containing ": " must be quoted: proves: "..."';
        return { line: lineAt(e.pos[0]), message };
    });
    function lineOf(path) {
        let node = doc.contents;
        let line = node && node.range ? lineAt(node.range[0]) : 1;
        for (const key of path) {
            if (isMap(node)) {
                const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
                if (!pair)
                    break;
                const k = pair.key;
                if (k.range)
                    line = lineAt(k.range[0]);
                node = pair.value;
            }
            else if (isSeq(node)) {
                const item = node.items[Number(key)];
                if (!item)
                    break;
                if (item.range)
                    line = lineAt(item.range[0]);
                node = item;
            }
            else
                break;
        }
        return line;
    }
    return { doc, lineOf, errors };
}
//# sourceMappingURL=yaml-lines.js.map