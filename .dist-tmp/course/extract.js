/** First capture group of `pattern` in `text` (or the whole match); undefined when it does not match. */
export function extractMatch(text, pattern) {
    const m = new RegExp(pattern, 'm').exec(text);
    if (!m)
        return undefined;
    return m[1] ?? m[0];
}
/**
 * Value at a dotted path in JSON text: `State.Pid`, `[0].State.Pid`, `NetworkSettings.Networks.bridge.IPAddress`.
 * A top-level array with a path not starting with `[` is indexed at 0, because `inspect` prints `[{...}]`.
 */
export function extractJson(text, path) {
    let data;
    try {
        data = JSON.parse(text);
    }
    catch {
        return undefined;
    }
    let p = path.trim().replace(/^\./, '');
    if (Array.isArray(data) && !p.startsWith('['))
        data = data[0];
    const parts = p.match(/[^.[\]]+|\[\d+\]/g) ?? [];
    let cur = data;
    for (const part of parts) {
        if (cur === null || cur === undefined)
            return undefined;
        if (part.startsWith('[')) {
            if (!Array.isArray(cur))
                return undefined;
            cur = cur[Number(part.slice(1, -1))];
        }
        else {
            if (typeof cur !== 'object')
                return undefined;
            cur = cur[part];
        }
    }
    if (cur === undefined || cur === null)
        return undefined;
    return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}
//# sourceMappingURL=extract.js.map