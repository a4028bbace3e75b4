import type { RunInContainer } from '../images/index.js';
import { readLogs } from './logs.js';
import type { Runtime } from './runtime.js';

/**
 * A Dockerfile RUN step as an ordinary container of the runtime (no network, the step's user, workdir and
 * env), removed again once its upper dir has been packed into a layer.
 */
export function runtimeRunner(rt: Runtime): RunInContainer {
  return async (o) => {
    const rec = await rt.create({
      Image: o.image.Id, Entrypoint: [''], Cmd: o.cmd, Env: o.env, WorkingDir: o.workdir, User: o.user,
      Labels: { 'boxlab.build': 'RUN' }, HostConfig: { NetworkMode: 'none' },
    });
    const cleanup = (): Promise<void> => rt.remove(rec.Id, { force: true });
    try {
      await rt.start(rec.Id);
      const { StatusCode } = await rt.wait(rec.Id);
      const logs = readLogs(rec.LogPath);
      const text = (stream: string): string => logs.filter((l) => l.stream === stream).map((l) => l.log).join('').replace(/\n$/, '');
      return { exitCode: StatusCode, upper: rec.GraphDriver.Data.UpperDir, stdout: text('stdout'), stderr: text('stderr'), cleanup };
    } catch (e) {
      await cleanup();
      throw e;
    }
  };
}
