import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { host } from '../engine/sys/index.js';
import { ImageStore } from '../engine/images/index.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';

// docker build through a private daemon: RUN steps run as real containers of the runtime (the only way
// boxlab runs anything); the store is read directly to look at the layers the build made.

let base: string;
let store: ImageStore;
let ctx: string;
let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
  base = mkdtempSync(join(tmpdir(), 'boxlab-build-'));
  chmodSync(base, 0o755);
  store = new ImageStore(d.root);
  ctx = join(base, 'ctx');
  mkdirSync(join(ctx, 'data'), { recursive: true });
  mkdirSync(join(base, 'arch/x'), { recursive: true });
  writeFileSync(join(base, 'arch/x/y.txt'), 'from the archive\n');
  await host('tar', ['-C', join(base, 'arch'), '-czf', join(ctx, 'files.tar.gz'), 'x']);
  writeFileSync(join(ctx, 'greet.sh'), '#!/bin/sh\necho "$(cat /app/built.txt) says hi to $1 as $(id -u) in $(pwd)"\n');
  writeFileSync(join(ctx, 'data/d.txt'), 'data\n');
  writeFileSync(join(ctx, 'plain.txt'), 'plain\n');
  writeFileSync(join(ctx, 'token.secret'), 'do not ship\n');
  writeFileSync(join(ctx, '.dockerignore'), '*.secret\n');
  writeFileSync(join(ctx, 'Dockerfile'), `
ARG BASE=busybox
FROM \${BASE} AS base
ARG GREETING=hello
ENV APP_HOME=/app NAME="boxlab user"
LABEL org.example.title="demo" version=1
WORKDIR $APP_HOME
COPY greet.sh ./
COPY --chown=65534:65534 data/ /app/data/
ADD files.tar.gz /opt/
ADD plain.txt /opt/plain.txt
COPY . /ctx/
RUN echo "$GREETING from $NAME" > /app/built.txt && chmod +x /app/greet.sh
RUN rm /etc/group
EXPOSE 8080 53/udp
VOLUME /data
STOPSIGNAL SIGTERM

FROM base
COPY --from=base /app/built.txt /copied.txt
USER nobody
ENTRYPOINT ["/app/greet.sh"]
CMD ["world"]
`);
});
afterAll(async () => {
  await d?.stop();
  rmSync(base, { recursive: true, force: true });
});

async function runImage(ref: string, cmd: string[] = []): Promise<string> {
  const r = await d.cli(['run', '--rm', ref, ...cmd]);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

/** `boxlab build`: its output lines, throwing with stderr when it fails. */
async function build(args: string[]): Promise<string[]> {
  const r = await d.cli(['build', ...args]);
  if (r.exitCode !== 0) throw new Error(r.stderr.trim());
  return r.stdout.split('\n');
}

describe('build', () => {
  it('builds a Dockerfile using every instruction and the image runs with the right ENTRYPOINT + CMD', async () => {
    const lines = await build(['-t', 'demo:1', ctx]);
    expect(lines.filter((l) => l === ' ---> Using cache')).toHaveLength(0);
    expect(lines).toContain('Successfully tagged demo:1');
    const image = store.resolve('demo:1');
    const c = image.Config;
    expect(c.Entrypoint).toEqual(['/app/greet.sh']);
    expect(c.Cmd).toEqual(['world']);
    expect(c.User).toBe('nobody');
    expect(c.WorkingDir).toBe('/app');
    expect(c.Env).toEqual(expect.arrayContaining(['APP_HOME=/app', 'NAME=boxlab user']));
    expect(c.Env.some((e) => e.startsWith('GREETING='))).toBe(false); // ARG is not ENV
    expect(c.Labels).toEqual({ 'org.example.title': 'demo', version: '1' });
    expect(c.ExposedPorts).toEqual({ '8080/tcp': {}, '53/udp': {} });
    expect(c.Volumes).toEqual({ '/data': {} });
    expect(c.StopSignal).toBe('SIGTERM');
    // busybox layer + COPY, COPY, ADD, ADD, COPY ., RUN, RUN, COPY --from
    expect(image.RootFS.DiffIDs).toHaveLength(9);
    expect(await runImage('demo:1')).toBe('hello from boxlab user says hi to world as 65534 in /app');
    expect(await runImage('demo:1', ['you'])).toBe('hello from boxlab user says hi to you as 65534 in /app');

    const layers = store.layerDirs(image).reverse();
    const find = (p: string) => layers.map((l) => join(l, p)).find((x) => existsSync(x) || (() => { try { return lstatSync(x).isCharacterDevice(); } catch { return false; } })());
    expect(readFileSync(find('opt/x/y.txt')!, 'utf8')).toBe('from the archive\n');
    expect(readFileSync(find('opt/plain.txt')!, 'utf8')).toBe('plain\n');
    expect(lstatSync(find('app/data/d.txt')!).uid).toBe(65534);
    expect(find('ctx/token.secret')).toBeUndefined(); // .dockerignore
    expect(find('ctx/greet.sh')).toBeDefined();
    expect(readFileSync(find('copied.txt')!, 'utf8')).toBe('hello from boxlab user\n');
    expect(lstatSync(find('etc/group')!).isCharacterDevice()).toBe(true); // RUN rm → whiteout in its layer
    expect(store.list().map((i) => i.RepoTags)).toEqual([['demo:1'], ['busybox:latest']]); // steps are hidden
  });

  it('rebuilds from the cache without running anything, and a changed file busts it from that step on', async () => {
    const first = store.resolve('demo:1');
    const again = await build(['-t', 'demo:1', ctx]);
    expect(store.resolve('demo:1').Id).toBe(first.Id);
    expect(again.filter((l) => l === ' ---> Using cache')).toHaveLength(17); // every step but ARG and FROM
    writeFileSync(join(ctx, 'plain.txt'), 'changed\n');
    const lines2 = await build(['-t', 'demo:2', ctx]);
    expect(store.resolve('demo:2').Id).not.toBe(first.Id);
    expect(lines2.filter((l) => l === ' ---> Using cache')).toHaveLength(6); // the steps before ADD plain.txt
  });

  it('refuses a COPY from outside the context, and reports a failing RUN like docker', async () => {
    const bad = join(base, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'Dockerfile'), 'FROM busybox\nCOPY ../ctx/plain.txt /x\n');
    await expect(build([bad])).rejects.toThrow('Dockerfile line 2: COPY failed: forbidden path outside the build context: ../ctx/plain.txt');
    writeFileSync(join(bad, 'Dockerfile'), 'FROM busybox\nRUN exit 3\n');
    await expect(build([bad])).rejects.toThrow("The command '/bin/sh -c exit 3' returned a non-zero code: 3");
    writeFileSync(join(bad, 'Dockerfile'), 'FROM busybox\nBOGUS x\n');
    await expect(build([bad])).rejects.toThrow('Dockerfile line 2: unknown instruction BOGUS');
    chmodSync(bad, 0o755);
  });
});
