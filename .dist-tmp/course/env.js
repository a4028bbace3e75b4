import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
/**
 * The project root: the nearest folder above this module holding package.json and lessons/.
 * Found by walking up because this file runs both from source (course/) and built (dist/course/).
 */
export function projectRoot() {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (;;) {
        if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'boxlab')))
            return dir;
        const up = dirname(dir);
        if (up === dir)
            return resolve(dirname(fileURLToPath(import.meta.url)), '..');
        dir = up;
    }
}
export function lessonsDir(env = process.env) {
    return env.BOXLAB_LESSONS ?? join(projectRoot(), 'lessons');
}
/** Folder holding the `boxlab` launcher, put first on PATH so lesson actions run this very build. */
export function binDir() {
    return join(projectRoot(), 'bin');
}
/** `v2` when the unified hierarchy is mounted at /sys/fs/cgroup (cgroup.controllers at its top). */
export function detectCgroupVersion(env = process.env) {
    const forced = env.BOXLAB_CGROUP;
    if (forced === 'v1' || forced === 'v2')
        return forced;
    return existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'v2' : 'v1';
}
/** Where per-user course state lives: $BOXLAB_STATE, else $XDG_STATE_HOME/boxlab, else ~/.local/state/boxlab. */
export function stateDir(env = process.env) {
    if (env.BOXLAB_STATE)
        return env.BOXLAB_STATE;
    const base = env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state');
    return join(base, 'boxlab');
}
export const DEFAULT_SOCKET = '/run/boxlab/boxlab.sock';
export const DEFAULT_ROOT = '/var/lib/boxlab';
export function daemonTargetFromEnv(env = process.env) {
    return {
        ...(env.BOXLAB_SOCKET !== undefined && { socket: env.BOXLAB_SOCKET }),
        ...(env.BOXLAB_ROOT !== undefined && { root: env.BOXLAB_ROOT }),
    };
}
//# sourceMappingURL=env.js.map