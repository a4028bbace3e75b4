import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
const bus = new EventEmitter();
bus.setMaxListeners(0);
const scope = new AsyncLocalStorage();
/** Runs `fn` with every trace event inside it tagged with `container`. */
export function withContainer(container, fn) {
    return scope.run({ container }, fn);
}
export function currentContainer() {
    return scope.getStore()?.container;
}
export function emitTrace(event) {
    if (bus.listenerCount('event') === 0)
        return;
    const container = event.container ?? currentContainer();
    const full = { ...event, pid: event.pid ?? process.pid };
    if (container !== undefined)
        full.container = container;
    bus.emit('event', full);
}
/** Subscribes to trace events; returns the unsubscribe function. */
export function onTrace(listener) {
    bus.on('event', listener);
    return () => bus.off('event', listener);
}
/** A short note in the trace, for steps that are not a single call ("init: waiting for the parent"). */
export function traceNote(name, args) {
    emitTrace({ time: Date.now(), kind: 'note', name, args, durationMs: 0 });
}
/** `mount(none, /proc, proc, MS_NOSUID) = 0` — the strace-like line the CLI and TUI print. */
export function formatTrace(e) {
    const outcome = e.error !== undefined ? `-1 ${e.error}` : (e.result ?? '');
    const ms = e.durationMs >= 1 ? e.durationMs.toFixed(1) : e.durationMs.toFixed(2);
    if (e.kind === 'command')
        return `$ ${e.name} ${e.args}  → ${outcome} (${ms} ms)`;
    if (e.kind === 'note')
        return `# ${e.name}: ${e.args}`;
    return `${e.name}(${e.args}) = ${outcome} (${ms} ms)`;
}
//# sourceMappingURL=trace.js.map