import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const MARKER = 'first-run-done';
/** True until {@link markFirstRun} was called for this state directory: the TUI then shows its welcome. */
export function firstRunNeeded(stateDir) {
    return !existsSync(join(stateDir, MARKER));
}
/** Records that the welcome was shown (written to a temp file and renamed, like all state). */
export function markFirstRun(stateDir) {
    mkdirSync(stateDir, { recursive: true });
    const tmp = join(stateDir, `.${MARKER}.${process.pid}`);
    writeFileSync(tmp, `${new Date().toISOString()}\n`);
    renameSync(tmp, join(stateDir, MARKER));
}
//# sourceMappingURL=first-run.js.map