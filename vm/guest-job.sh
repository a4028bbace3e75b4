#!/usr/bin/env bash
# Runs inside the throwaway qemu guest made by vm/test-in-vm.sh, as root, from a systemd unit at boot:
# provisions the fresh machine, proves a second provisioning changes nothing, shows the doctor's report and
# runs the chosen tests. The host collects the `BOXLAB-VM:` lines; `BOXLAB-VM-RESULT: pass|fail ...` is last.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
# shellcheck source=/dev/null  # written by vm/test-in-vm.sh
. ./.vm-job.env
[ -z "${NPM_CONFIG_REGISTRY:-}" ] || export NPM_CONFIG_REGISTRY
export HOME=/root NO_COLOR=1 CI=1 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "BOXLAB-VM: $*"; }
result() { echo "BOXLAB-VM-RESULT: $*"; systemctl --no-block poweroff; exit 0; }
now() { date +%s; }

# Under TCG a step can take minutes: every 2 minutes, show what is running, so a hang is visible and named.
(while sleep 120; do
  say "still running: $(ps -eo etimes=,args= --sort=etimes | awk '$1 > 30' | head -n 4 | cut -c1-100 | tr '\n' ';')"
done) &
watchdog=$!
trap 'kill "$watchdog" 2>/dev/null' EXIT

# The host's added CAs (see test-in-vm.sh): for apt and curl through the system store, for Node through
# NODE_EXTRA_CA_CERTS (Node trusts only its own bundle otherwise), as on the host.
if compgen -G '.vm-ca/*.crt' >/dev/null; then
  # Where update-ca-certificates looks, and appended to the bundle it would write: running it costs minutes
  # under TCG.
  cp .vm-ca/*.crt /usr/local/share/ca-certificates/
  cat .vm-ca/*.crt >>/etc/ssl/certs/ca-certificates.crt
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
  say "trusting the host's added CAs: $(cd .vm-ca && echo *.crt)"
fi

fs=$(stat -fc %T /sys/fs/cgroup)
say "kernel $(uname -r), $(nproc) CPUs, ${BOXLAB_VM_ACCEL:-?}; up $(cut -d' ' -f1 /proc/uptime)s"
say "cgroup: /sys/fs/cgroup is $fs$([ "$fs" = cgroup2fs ] && echo ' (cgroup v2 only)'); controllers: $(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null)"
[ "$fs" = cgroup2fs ] || result "fail (this guest is not on cgroup v2)"

t=$(now)
BOXLAB_GREET=1 bash vm/provision.sh 2>&1
rc=$?
say "TIME provision, fresh guest: $(( $(now) - t ))s (exit $rc)"
[ "$rc" -eq 0 ] || result "fail (provisioning exit $rc)"

t=$(now)
second=$(BOXLAB_GREET=1 bash vm/provision.sh 2>&1)
rc=$?
echo "$second"
say "TIME provision, second run: $(( $(now) - t ))s (exit $rc)"
[ "$rc" -eq 0 ] || result "fail (second provisioning exit $rc)"
if grep -qE 'installing|npm ci$|installed /etc' <<<"$second"; then result "fail (the second provisioning was not a no-op)"; fi
bash vm/provision.sh --check >/dev/null || result "fail (provision.sh --check finds work after provisioning)"
say "provisioning is idempotent: the second run installed nothing"

greeting=$(bash -lic true 2>&1 </dev/null)
grep -q 'sudo boxlab' <<<"$greeting" || result "fail (a login shell does not greet with 'sudo boxlab')"
say "login greeting: ok"
say "boxlabd unit: $(systemctl is-enabled boxlabd 2>&1 | head -n1), $(systemctl is-active boxlabd 2>&1 | head -n1)"

node --input-type=module -e "
  const m = await import('$PWD/dist/engine/doctor/index.js');
  const r = await m.runDoctor();
  console.log(m.formatDoctor(r));
  if (r.facts.cgroup.mode !== 'v2') { console.log('doctor did not see cgroup v2'); process.exit(1); }
" || result "fail (boxlab doctor)"

# shellcheck disable=SC2086  # the filters are words
say "tests: npx vitest run ${BOXLAB_VM_FILTERS}"
t=$(now)
# shellcheck disable=SC2086
npx vitest run ${BOXLAB_VM_FILTERS} 2>&1
rc=$?
say "TIME tests: $(( $(now) - t ))s (exit $rc)"
[ "$rc" -eq 0 ] || result "fail (tests exit $rc)"
result pass
