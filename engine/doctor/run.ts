import { release } from 'node:os';
import type { DoctorCheck, DoctorOptions, DoctorReport } from './types.js';
import { kernelCheck, namespaceChecks, probeNamespaces, probeUserns, usernsCheck } from './kernel.js';
import { cgroupCheck, probeCgroups } from './cgroups.js';
import { overlayCheck, probeOverlay } from './overlay.js';
import { iptablesCheck, ipForwardCheck, probeIpForward, probeIptables } from './network.js';
import { diskCheck, probeDisk, probeTools, toolChecks } from './tools.js';
import { localeCheck } from './locale.js';

import { DEFAULT_ROOT } from '../paths.js';
import { langFromEnv, messages } from '../../i18n/index.js';
/** doctor speaks the learner's language (--lang, BOXLAB_LANG, the locale) */
const m = () => messages(langFromEnv());

export const DEFAULT_STATE_ROOT = DEFAULT_ROOT;

/**
 * Looks at the machine the way the lessons will use it: every probe that can be real is real (a namespace
 * is created, an overlay is mounted — in children and private mount namespaces, so nothing stays behind).
 */
export async function runDoctor(opts: DoctorOptions = {}): Promise<DoctorReport> {
  const stateRoot = opts.stateRoot ?? DEFAULT_STATE_ROOT;
  const root = process.geteuid?.() === 0;
  const tools = probeTools();
  const [namespaces, userns, overlay, iptables] = await Promise.all([
    probeNamespaces(root), probeUserns(root), probeOverlay(stateRoot, root), probeIptables(tools.iptables ?? null),
  ]);
  const facts = {
    root, kernel: release(), namespaces, userns, cgroup: probeCgroups(), overlay, iptables,
    ipForward: probeIpForward(), tools, disk: probeDisk(stateRoot),
  };
  const checks: DoctorCheck[] = [
    {
      id: 'root', title: m().drRootTitle, essential: true, status: root ? 'ok' : 'fail',
      detail: root ? m().drRootYes : m().drRootNo(String(process.geteuid?.())),
      ...(!root && { fix: m().drRootFix }),
    },
    kernelCheck(facts.kernel),
    ...namespaceChecks(namespaces),
    usernsCheck(userns),
    cgroupCheck(facts.cgroup),
    overlayCheck(overlay, stateRoot),
    iptablesCheck(iptables),
    ipForwardCheck(facts.ipForward),
    ...toolChecks(tools),
    diskCheck(facts.disk),
    localeCheck(),
  ];
  return { checks, facts, ok: checks.every((c) => c.status !== 'fail') };
}

/** The checks a learner must fix before the lessons work (what the first-run welcome shows). */
export function essentialProblems(report: DoctorReport): DoctorCheck[] {
  return report.checks.filter((c) => c.essential && c.status !== 'ok');
}
