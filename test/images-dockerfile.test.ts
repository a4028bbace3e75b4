import { describe, expect, it } from 'vitest';
import { applyMetadata, normaliseConfig, parseDockerfile, resolveCommand, splitWords, substitute, DockerIgnore } from '../engine/images/index.js';
import { DockerIgnore as DI } from '../engine/images/build-context.js';

describe('Dockerfile parser', () => {
  it('joins continuations, skips comments, keeps line numbers, recognises exec form and flags', () => {
    const ins = parseDockerfile([
      '# syntax=docker/dockerfile:1',
      'ARG BASE=busybox',
      'FROM $BASE AS build',
      '',
      'RUN echo one \\',
      '  # a comment inside a continuation',
      '    two',
      'copy --chown=1:1 a b /dst/',
      'CMD ["echo", "hi"]',
      'ENTRYPOINT echo shell form',
    ].join('\n'));
    expect(ins.map((i) => [i.line, i.cmd])).toEqual([[2, 'ARG'], [3, 'FROM'], [5, 'RUN'], [8, 'COPY'], [9, 'CMD'], [10, 'ENTRYPOINT']]);
    expect(ins[2]!.args).toBe('echo one     two');
    expect(ins[3]!.flags).toEqual({ chown: '1:1' });
    expect(ins[3]!.args).toBe('a b /dst/');
    expect(ins[4]!.json).toEqual(['echo', 'hi']);
    expect(ins[5]!.json).toBeUndefined();
  });

  it('names the line of an unknown instruction, and other mistakes', () => {
    expect(() => parseDockerfile('FROM busybox\n\nFOO bar\n')).toThrow('Dockerfile line 3: unknown instruction FOO');
    expect(() => parseDockerfile('FROM busybox\nHEALTHCHECK CMD true')).toThrow('Dockerfile line 2: HEALTHCHECK is not supported by boxlab');
    expect(() => parseDockerfile('RUN true\nFROM busybox')).toThrow(/line 1: RUN before FROM/);
    expect(() => parseDockerfile('FROM busybox\nCOPY\n')).toThrow('Dockerfile line 2: COPY requires at least one argument');
    expect(() => parseDockerfile('# just a comment\n')).toThrow('Dockerfile has no FROM instruction');
  });

  it('honours the escape directive', () => {
    const ins = parseDockerfile('# escape=`\nFROM busybox\nRUN dir c:\\ `\n  && echo ok');
    expect(ins[1]!.args).toBe('dir c:\\   && echo ok');
  });

  it('splits words with quotes and substitutes variables like docker', () => {
    const vars = { A: 'x', EMPTY: '' };
    expect(splitWords(`k=$A "q=\${A} y" 'lit=$A' e\\ s`, vars)).toEqual(['k=x', 'q=x y', 'lit=$A', 'e s']);
    expect(substitute('${EMPTY:-def}/${A:+alt}/${NONE}/\\$A', vars)).toBe('def/alt//$A');
  });

  it('applies ENV, LABEL, EXPOSE, WORKDIR, USER, VOLUME and the ENTRYPOINT-resets-CMD rule', () => {
    const c = normaliseConfig({ Env: ['PATH=/bin'], Cmd: ['sh'] });
    const vars: Record<string, string> = { PATH: '/bin' };
    const state = { cmdSetHere: false };
    for (const i of parseDockerfile([
      'FROM x', 'ENV A=1 B="two words"', 'ENV C $A-c', 'LABEL org.x="y z" k=v', 'EXPOSE 80 53/udp',
      'WORKDIR /app', 'WORKDIR sub', 'USER nobody', 'VOLUME ["/data"]', 'ENTRYPOINT ["/bin/echo"]',
    ].join('\n')).slice(1)) applyMetadata(c, i, vars, state);
    expect(c.Env).toEqual(['PATH=/bin', 'A=1', 'B=two words', 'C=1-c']);
    expect(c.Labels).toEqual({ 'org.x': 'y z', k: 'v' });
    expect(c.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {} });
    expect(c.WorkingDir).toBe('/app/sub');
    expect(c.User).toBe('nobody');
    expect(c.Volumes).toEqual({ '/data': {} });
    expect(c.Entrypoint).toEqual(['/bin/echo']);
    expect(c.Cmd).toBeNull(); // the base image's CMD does not survive a new ENTRYPOINT
  });
});

describe('CMD and ENTRYPOINT, combined as docker does', () => {
  const sh = (s: string) => ['/bin/sh', '-c', s];
  it.each([
    ['no ENTRYPOINT, exec CMD', { Entrypoint: null, Cmd: ['echo', 'hi'] }, {}, ['echo', 'hi']],
    ['no ENTRYPOINT, shell CMD', { Entrypoint: null, Cmd: sh('echo hi') }, {}, sh('echo hi')],
    ['exec ENTRYPOINT + exec CMD', { Entrypoint: ['echo', 'a'], Cmd: ['b'] }, {}, ['echo', 'a', 'b']],
    ['exec ENTRYPOINT + shell CMD', { Entrypoint: ['echo'], Cmd: sh('x') }, {}, ['echo', '/bin/sh', '-c', 'x']],
    ['shell ENTRYPOINT ignores CMD (they become $0…)', { Entrypoint: sh('echo e'), Cmd: ['c'] }, {}, [...sh('echo e'), 'c']],
    ['run args replace CMD', { Entrypoint: ['echo'], Cmd: ['default'] }, { cmd: ['given'] }, ['echo', 'given']],
    ['--entrypoint drops the image CMD', { Entrypoint: ['echo'], Cmd: ['default'] }, { entrypoint: ['cat'] }, ['cat']],
    ['--entrypoint with args', { Entrypoint: ['echo'], Cmd: ['default'] }, { entrypoint: ['ls'], cmd: ['-l'] }, ['ls', '-l']],
    ['--entrypoint "" clears it', { Entrypoint: ['echo'], Cmd: ['x'] }, { entrypoint: [''], cmd: ['sh'] }, ['sh']],
  ] as const)('%s', (_n, image, run, argv) => {
    expect(resolveCommand({ Entrypoint: image.Entrypoint ? [...image.Entrypoint] : null, Cmd: image.Cmd ? [...image.Cmd] : null },
      { ...('cmd' in run ? { cmd: [...run.cmd] } : {}), ...('entrypoint' in run ? { entrypoint: [...run.entrypoint] } : {}) })).toEqual(argv);
  });
  it('refuses an image with neither', () => {
    expect(() => resolveCommand({ Entrypoint: null, Cmd: null })).toThrow(/no command specified/);
  });
});

describe('.dockerignore', () => {
  it('matches globs, ** and ! exceptions; a matched dir hides its contents', () => {
    const ig: DI = new DockerIgnore('# comment\n*.log\nsecret/\n**/tmp\n!keep.log\n');
    expect(ig.ignores('a.log')).toBe(true);
    expect(ig.ignores('keep.log')).toBe(false);
    expect(ig.ignores('secret/key')).toBe(true);
    expect(ig.ignores('x/y/tmp/z')).toBe(true);
    expect(ig.ignores('src/a.log')).toBe(false);
    expect(ig.ignores('Dockerfile')).toBe(false);
  });
});
