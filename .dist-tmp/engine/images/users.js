import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../sys/index.js';
/** The file as the container would see it: from the topmost layer (dirs top first) that has it as a regular file. */
export function readFromLayers(rel, lowerdirsTopFirst) {
    for (const d of lowerdirsTopFirst) {
        try {
            const st = lstatSync(join(d, rel));
            if (st.isCharacterDevice() && st.rdev === 0)
                return undefined; // whited out
            if (st.isFile())
                return readFileSync(join(d, rel), 'utf8');
        }
        catch { /* not in this layer */ }
    }
    return undefined;
}
/**
 * `-u`/`USER` → numeric ids, looking names up in the image's /etc/passwd and /etc/group as docker does.
 * "" → root. A name the image lacks → docker's "unable to find user X: no matching entries in passwd file".
 */
export function resolveUser(spec, lowerdirsTopFirst) {
    if (!spec)
        return { uid: 0, gid: 0 };
    const [u, g] = spec.split(':', 2);
    const passwd = (readFromLayers('etc/passwd', lowerdirsTopFirst) ?? '').split('\n').map((l) => l.split(':'));
    let uid;
    let gid;
    if (/^\d+$/.test(u)) {
        uid = Number(u);
        const row = passwd.find((r) => r[2] === u);
        gid = row ? Number(row[3]) : 0;
    }
    else {
        const row = passwd.find((r) => r[0] === u);
        if (!row)
            throw new UserError(`unable to find user ${u}: no matching entries in passwd file`);
        uid = Number(row[2]);
        gid = Number(row[3]);
    }
    if (g !== undefined && g !== '') {
        if (/^\d+$/.test(g))
            gid = Number(g);
        else {
            const row = (readFromLayers('etc/group', lowerdirsTopFirst) ?? '').split('\n').map((l) => l.split(':')).find((r) => r[0] === g);
            if (!row)
                throw new UserError(`unable to find group ${g}: no matching entries in group file`);
            gid = Number(row[2]);
        }
    }
    return { uid, gid: gid ?? 0 };
}
//# sourceMappingURL=users.js.map