import { parseArgs } from 'node:util';
import { runDaemon } from './daemon.js';

/**
 * boxlabd's own entry point, for the CLI's autostart (client/boxlabd.ts): `node main.js --root R --socket S
 * [--cgroup-parent P] [--userns-remap]`. `boxlab daemon` runs the same runDaemon in the foreground.
 */
const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    socket: { type: 'string' },
    'cgroup-parent': { type: 'string' },
    'userns-remap': { type: 'boolean' },
  },
});
if (!values.root || !values.socket) {
  process.stderr.write('boxlabd: --root and --socket are required\n');
  process.exit(2);
}
try {
  await runDaemon({
    root: values.root, socket: values.socket, usernsDefault: values['userns-remap'] ? 'remap' : 'host',
    ...(values['cgroup-parent'] && { cgroupParent: values['cgroup-parent'] }),
  });
} catch (e) {
  process.stderr.write(`boxlabd: ${(e as Error).message}\n`);
  process.exit(1);
}
