import { readFileSync } from 'node:fs';
import { UserError } from '../sys/errors.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** supplementary groups from the image's /etc/group */
  groups: number[];
  home: string;
}

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

function readLines(path: string): string[][] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
  } catch {
    return [];
  }
}

function passwd(root: string): PasswdEntry[] {
  return readLines(`${root}/etc/passwd`).filter((f) => f.length >= 7)
    .map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! }));
}

function groups(root: string): GroupEntry[] {
  return readLines(`${root}/etc/group`).filter((f) => f.length >= 3)
    .map((f) => ({ name: f[0]!, gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) }));
}

const numeric = (s: string): boolean => /^\d+$/.test(s);

/**
 * Resolves docker's `-u` forms against the image's own /etc/passwd and /etc/group (not the host's):
 * "" (root), "uid", "uid:gid", "name", "name:group". A numeric uid needs no passwd entry, as in docker.
 */
export function resolveUser(spec: string, root = '', groupAdd: string[] = []): ResolvedUser {
  const [userPart = '', groupPart] = spec.split(':', 2);
  const users = passwd(root);
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name: string | undefined;
  if (userPart === '') {
    const entry = users.find((u) => u.uid === 0);
    if (entry) ({ home, name } = entry);
    name ??= 'root';
    home = entry?.home ?? '/root';
  } else if (numeric(userPart)) {
    uid = Number(userPart);
    const entry = users.find((u) => u.uid === uid);
    if (entry) ({ gid, home, name } = entry);
  } else {
    const entry = users.find((u) => u.name === userPart);
    if (!entry) throw new UserError(`unable to find user ${userPart}: no matching entries in passwd file`);
    ({ uid, gid, home, name } = entry);
  }
  const allGroups = groups(root);
  if (groupPart !== undefined && groupPart !== '') {
    if (numeric(groupPart)) gid = Number(groupPart);
    else {
      const g = allGroups.find((x) => x.name === groupPart);
      if (!g) throw new UserError(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  const supplementary = name === undefined ? [] : allGroups.filter((g) => g.members.includes(name)).map((g) => g.gid);
  // docker's --group-add: gids or group names of the image, added to the process's supplementary groups
  const added = groupAdd.map((g) => {
    if (numeric(g)) return Number(g);
    const found = allGroups.find((x) => x.name === g);
    if (!found) throw new UserError(`unable to find group ${g}: no matching entries in group file`);
    return found.gid;
  });
  return { uid, gid, groups: [...new Set([gid, ...supplementary, ...added])], home };
}
