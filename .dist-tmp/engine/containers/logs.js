import { appendFileSync, readFileSync, existsSync } from 'node:fs';
/**
 * Appends a container's output to `<id>-json.log` in docker's json-file format, one entry per line of output
 * (a trailing partial line is kept until its newline arrives or the stream ends).
 */
export class LogWriter {
    path;
    partial = { stdout: '', stderr: '' };
    constructor(path) {
        this.path = path;
    }
    write(stream, chunk) {
        const text = this.partial[stream] + chunk.toString();
        const lines = text.split(/(?<=\n)/);
        const last = lines[lines.length - 1];
        this.partial[stream] = last.endsWith('\n') ? '' : last;
        const complete = last.endsWith('\n') ? lines : lines.slice(0, -1);
        return this.append(stream, complete);
    }
    flush() {
        const out = [];
        for (const stream of ['stdout', 'stderr']) {
            if (this.partial[stream])
                out.push(...this.append(stream, [this.partial[stream]]));
            this.partial[stream] = '';
        }
        return out;
    }
    append(stream, lines) {
        if (lines.length === 0)
            return [];
        const time = new Date().toISOString();
        const entries = lines.map((log) => ({ log, stream, time }));
        appendFileSync(this.path, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
        return entries;
    }
}
export function readLogs(path) {
    if (!existsSync(path))
        return [];
    const out = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (!line)
            continue;
        try {
            out.push(JSON.parse(line));
        }
        catch {
            // a line torn by a crash
        }
    }
    return out;
}
/** Docker's multiplexed stream frame: [stream, 0, 0, 0, size(uint32 BE)] + payload. */
export function frame(stream, payload) {
    const header = Buffer.alloc(8);
    header[0] = stream === 'stdin' ? 0 : stream === 'stdout' ? 1 : 2;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
}
//# sourceMappingURL=logs.js.map