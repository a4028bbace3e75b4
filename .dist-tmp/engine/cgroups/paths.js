import { UserError } from '../sys/index.js';
/**
 * A cgroup path relative to a hierarchy root: "boxlab", "boxlab-test-42/abc". Refuses anything that could
 * escape the intended directory or land on the hierarchy root itself — destroy() kills every process in its
 * directory, so a wrong path here would be a disaster.
 */
export function checkCgroupPath(what, path) {
    const parts = path.split('/');
    if (path === '' || parts.some((p) => p === '' || p === '.' || p === '..' || !/^[\w.@:+-]+$/.test(p))) {
        throw new UserError(`invalid cgroup ${what} "${path}": use names of letters, digits and - _ . separated by /`);
    }
    return path;
}
//# sourceMappingURL=paths.js.map