import { request } from 'node:http';
export const nullTraceSource = {
    async subscribe() { return () => { }; },
};
/** A source tests push events into. */
export class FakeTraceSource {
    listeners = new Set();
    async subscribe(listener) {
        this.listeners.add(listener);
        return () => { this.listeners.delete(listener); };
    }
    emit(e) {
        for (const l of this.listeners)
            l(e);
    }
    get subscribers() {
        return this.listeners.size;
    }
}
/**
 * The daemon's `GET /events?type=trace` stream: newline-delimited JSON over the unix socket.
 * If the daemon is not up yet (the first `boxlab` command starts it on demand) it keeps retrying
 * quietly, so a missing daemon costs the learner the trace, never the lesson.
 */
export class DaemonTraceSource {
    socketPath;
    retryMs;
    constructor(socketPath, retryMs = 150) {
        this.socketPath = socketPath;
        this.retryMs = retryMs;
    }
    subscribe(listener) {
        let stopped = false;
        let req;
        let timer;
        let firstSettled = false;
        return new Promise((resolveFirst) => {
            const settle = () => { if (!firstSettled) {
                firstSettled = true;
                resolveFirst(stop);
            } };
            const stop = () => {
                stopped = true;
                if (timer)
                    clearTimeout(timer);
                req?.destroy();
            };
            const retry = () => {
                settle();
                if (!stopped)
                    timer = setTimeout(connect, this.retryMs);
            };
            const connect = () => {
                if (stopped)
                    return;
                req = request({ socketPath: this.socketPath, path: '/events?type=trace', method: 'GET' }, (res) => {
                    if (res.statusCode !== 200) {
                        res.resume();
                        retry();
                        return;
                    }
                    settle();
                    res.setEncoding('utf8');
                    let buf = '';
                    res.on('data', (chunk) => {
                        buf += chunk;
                        let nl;
                        while ((nl = buf.indexOf('\n')) >= 0) {
                            const line = buf.slice(0, nl).trim();
                            buf = buf.slice(nl + 1);
                            if (!line)
                                continue;
                            try {
                                const e = JSON.parse(line);
                                if (typeof e.name === 'string')
                                    listener(e);
                            }
                            catch { /* a torn line from a dying daemon: skip it */ }
                        }
                    });
                    res.on('end', () => retry());
                    res.on('error', () => retry());
                });
                req.on('error', () => retry());
                req.end();
            };
            connect();
        });
    }
}
//# sourceMappingURL=trace-source.js.map