import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The VM's scripts, checked cheaply. The expensive proofs live elsewhere: vm/test-in-vm.sh boots a fresh
// Debian guest and provisions it twice (CI runs it after the suite); here only what costs seconds.
const scripts = ['.ci/run', ...readdirSync('vm').filter((f) => f.endsWith('.sh')).map((f) => `vm/${f}`)];
const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const run = (cmd: string, args: string[], env: Record<string, string> = {}) =>
  // without the caller's BOXLAB_VM_TEST: each case sets what it means to test
  spawnSync(cmd, args, { encoding: 'utf8', env: { ...withoutVmSwitch(process.env), ...env }, timeout: 60_000 });

function withoutVmSwitch(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { BOXLAB_VM_TEST: _ignored, ...rest } = env;
  return rest;
}

describe('vm scripts', () => {
  it.each(scripts)('%s parses', (script) => {
    // greeting.sh is sourced by every login shell, dash included
    const r = script.endsWith('greeting.sh') ? run('sh', ['-n', script]) : run('bash', ['-n', script]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(!has('shellcheck'))('shellcheck finds nothing', () => {
    const r = run('shellcheck', ['-x', ...scripts.filter((s) => !s.endsWith('greeting.sh'))]);
    expect(r.stdout).toBe('');
    const g = run('shellcheck', ['-s', 'sh', 'vm/greeting.sh']);
    expect(g.stdout).toBe('');
  });

  it('a second provisioning has nothing to do for apt, Node and npm', () => {
    // Run after vm/provision.sh (as CI does): --check changes nothing and exits 3 if anything is missing.
    const r = run('bash', ['vm/provision.sh', '--check']);
    expect(r.stdout).toContain('apt packages: all installed');
    expect(r.stdout).toContain('nothing to do');
    expect(r.status).toBe(0);
  });

  it('provision.sh refuses unknown arguments without doing anything', () => {
    const r = run('bash', ['vm/provision.sh', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage:');
  });

  it('the login greeting tells the learner to run sudo boxlab, in interactive shells only', () => {
    const interactive = run('sh', ['-ic', '. vm/greeting.sh'], { BOXLAB_GREETED: '' });
    expect(interactive.stdout).toContain('sudo boxlab');
    const batch = run('sh', ['-c', '. vm/greeting.sh'], { BOXLAB_GREETED: '' });
    expect(batch.stdout).toBe('');
  });

  it('test-in-vm.sh skips, saying why, when told to or when no test matches', () => {
    const off = run('bash', ['vm/test-in-vm.sh'], { BOXLAB_VM_TEST: '0' });
    expect(off.status).toBe(0);
    expect(off.stdout).toContain('SKIP: BOXLAB_VM_TEST=0');
    const none = run('bash', ['vm/test-in-vm.sh', 'test/no-such-test-file']);
    expect(none.status).toBe(0);
    expect(none.stdout).toMatch(/SKIP: none of the test filters \(test\/no-such-test-file\)/);
  });
});

describe('Vagrantfile', () => {
  it.skipIf(!has('vagrant'))('passes vagrant validate offline', () => {
    // With Debian's vagrant-libvirt installed the libvirt options are validated as well.
    const libvirt = existsSync('/usr/share/doc/vagrant-libvirt');
    const r = run('vagrant', libvirt ? ['validate'] : ['validate', '--ignore-provider'],
      { VAGRANT_CHECKPOINT_DISABLE: '1', ...(libvirt && { VAGRANT_DEFAULT_PROVIDER: 'libvirt' }) });
    expect(r.stdout + r.stderr).toContain('Vagrantfile validated successfully');
    expect(r.status).toBe(0);
  });

  it('provisions with the same script CI runs and names the Debian 12 box', () => {
    const text = execFileSync('cat', ['Vagrantfile'], { encoding: 'utf8' });
    expect(text).toContain('bash /vagrant/vm/provision.sh');
    expect(text).toMatch(/ENV\.fetch\("BOXLAB_BOX", .*"debian\/bookworm64"\)/);
    for (const provider of ['virtualbox', 'libvirt']) expect(text).toContain(`config.vm.provider "${provider}"`);
  });
});
