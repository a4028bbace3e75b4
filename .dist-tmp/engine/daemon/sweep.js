import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupManager, listChildren, removeParent } from '../cgroups/index.js';
import { removeRootfs } from '../images/index.js';
/**
 * What a crash can leave behind with no record pointing at it: cgroups of containers that are gone, overlay
 * dirs with no container. Run by `reset` and at shutdown; returns what it removed.
 */
export function sweepOrphans(ctx) {
    const notes = [];
    const known = new Set(ctx.runtime.store.all().filter((c) => c.State.Running).map((c) => c.Id));
    for (const name of listChildren(ctx.cgroupParent)) {
        if (known.has(name))
            continue;
        cgroupManager({ parent: ctx.cgroupParent, name }).destroy();
        notes.push(`removed cgroup ${ctx.cgroupParent}/${name}`);
    }
    if (ctx.runtime.store.all().length === 0)
        removeParent(ctx.cgroupParent);
    const overlay = join(ctx.root, 'overlay');
    if (existsSync(overlay)) {
        const records = new Set(ctx.runtime.store.all().map((c) => c.Id));
        for (const entry of readdirSync(overlay)) {
            const id = entry.replace(/-init$/, '');
            if (records.has(id))
                continue;
            removeRootfs(ctx.root, id);
            notes.push(`removed rootfs ${id.slice(0, 12)}`);
        }
    }
    return notes;
}
//# sourceMappingURL=sweep.js.map