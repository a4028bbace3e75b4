import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';

/** The stock docker client speaks to boxlabd: proof that the API follows the Docker Engine API's shapes. */
const docker = await execa('docker', ['--version'], { reject: false }).then((r) => r.exitCode === 0, () => false);

let d: TestDaemon;
beforeAll(async () => {
  if (docker) d = await startDaemon();
});
afterAll(async () => {
  await d?.stop();
});

const dockerCli = (args: string[]) => execa('docker', ['-H', `unix://${d.socket}`, ...args], { reject: false, timeout: 30_000 });

describe.skipIf(!docker)('the stock docker client (client only)', () => {
  it('docker version shows boxlab as the server', async () => {
    const r = await dockerCli(['version', '--format', '{{.Server.Platform.Name}} {{.Server.APIVersion}}']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('boxlab 1.43');
  });

  it('docker ps -a lists boxlab containers', async () => {
    await d.cli(['run', '-d', '--name', 'seen-by-docker', 'busybox', 'sleep', '600']);
    const r = await dockerCli(['ps', '-a', '--format', '{{.Names}} {{.Image}} {{.Command}} {{.State}}']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('seen-by-docker busybox "sleep 600" running');
    await d.cli(['rm', '-f', 'seen-by-docker']);
  });

  it('docker run and docker exec go through boxlab', async () => {
    const r = await dockerCli(['run', '--rm', '--hostname', 'via-docker', 'busybox', 'hostname']);
    expect(r.stdout).toBe('via-docker');
    expect(r.exitCode).toBe(0);
  });
});
