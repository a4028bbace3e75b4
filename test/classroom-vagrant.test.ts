import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/daemon.js';

// The Vagrantfile's classroom option, offline: `vagrant validate` and `vagrant status` read the file and
// bring nothing up. Without BOXLAB_CLASSROOM the single boxlab VM stays the only machine.
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const libvirt = existsSync('/usr/share/doc/vagrant-libvirt');

function vagrant(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync('vagrant', libvirt || args[0] !== 'validate' ? args : [...args, '--ignore-provider'], {
    cwd: REPO, encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, VAGRANT_CHECKPOINT_DISABLE: '1', ...(libvirt && { VAGRANT_DEFAULT_PROVIDER: 'libvirt' }), ...env },
  });
  return { out: `${r.stdout}${r.stderr}`, status: r.status };
}

describe.skipIf(!has('vagrant'))('Vagrantfile classroom option', () => {
  it('defines an instructor and N learners on one private network, and only with BOXLAB_CLASSROOM', () => {
    const v = vagrant(['validate'], { BOXLAB_CLASSROOM: '3' });
    expect(v.out).toContain('Vagrantfile validated successfully');
    const room = vagrant(['status', '--machine-readable'], { BOXLAB_CLASSROOM: '3' });
    const machines = [...new Set([...room.out.matchAll(/^\d+,([^,]+),state,/gm)].map((m) => m[1]))];
    expect(machines).toEqual(['instructor', 'learner1', 'learner2', 'learner3']);
    const single = vagrant(['status', '--machine-readable']);
    expect([...new Set([...single.out.matchAll(/^\d+,([^,]+),state,/gm)].map((m) => m[1]))]).toEqual(['default']);
    const bad = vagrant(['validate'], { BOXLAB_CLASSROOM: '99' });
    expect(bad.status).not.toBe(0);
    expect(bad.out).toContain('BOXLAB_CLASSROOM must be 0-40');
  }, 240_000);
});
