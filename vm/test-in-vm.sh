#!/usr/bin/env bash
# shellcheck disable=SC2317  # cleanup() runs from the EXIT trap
# The real-VM test path: a fresh Debian 12 guest under qemu provisions boxlab with vm/provision.sh and runs a
# cgroup-v2 subset of the tests. It is the only place the cgroup v2 code meets a real v2 kernel, and it proves
# provisioning on a machine that is not this one.
#
#   bash vm/test-in-vm.sh [TEST_FILTER ...]      default filters: test/cgroups test/doctor
#   bash vm/test-in-vm.sh --build-only           build (or check) the cached image, boot nothing
#
# The base image (debootstrap minbase + kernel + systemd, no boxlab tools: provisioning must install them) is
# built once and cached; every run boots a throwaway copy-on-write overlay of it, so each run is a fresh guest.
# The project goes in as a tar file attached as a second disk (no ssh, no shared folder to set up); the guest
# runs vm/guest-job.sh at boot, prints markers on the serial console and powers off.
#
# Environment:
#   BOXLAB_VM_CACHE=/var/cache/boxlab-vm   image cache (survives fresh clones, unlike the work tree)
#   BOXLAB_VM_MIRROR=URL                   Debian mirror (default: the host's, else deb.debian.org)
#   BOXLAB_VM_TIMEOUT=1500                 seconds before the guest is killed
#   BOXLAB_VM_MEMORY=3072 BOXLAB_VM_CPUS=N guest size (CPUs default to the host's, at most 4)
#   BOXLAB_VM_REBUILD=1                    rebuild the cached image
#   BOXLAB_VM_TEST=0                       skip (exit 0) — what CI honours too
#   BOXLAB_VM_SOURCE=worktree|head         what the guest gets: the work tree without ignored files (default),
#                                          or the last commit (others' half-written files left out)
# Exit: 0 pass (or a skip, which says so), 1 fail.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${BOXLAB_VM_CACHE:-/var/cache/boxlab-vm}
timeout_s=${BOXLAB_VM_TIMEOUT:-1500}
memory=${BOXLAB_VM_MEMORY:-3072}
cpus=${BOXLAB_VM_CPUS:-$(( $(nproc) > 4 ? 4 : $(nproc) ))}
build_only=0
if [ "${1:-}" = --build-only ]; then build_only=1; shift; fi
filters=("$@")
[ "${#filters[@]}" -gt 0 ] || filters=(test/cgroups test/doctor)

# Bump when the recipe below changes: a cached image with another recipe is rebuilt.
recipe="bookworm-minbase-7"
# ca-certificates: every real Debian/Ubuntu install has it, and its postinst takes ~5 min under TCG.
guest_packages=linux-image-amd64,systemd,systemd-sysv,udev,dbus,procps,ca-certificates

log() { printf '\033[1mtest-in-vm:\033[0m %s\n' "$*"; }
skip() { log "SKIP: $*"; exit 0; }
now() { date +%s; }

[ "${BOXLAB_VM_TEST:-1}" != 0 ] || skip "BOXLAB_VM_TEST=0"
[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, image build): sudo bash vm/test-in-vm.sh"
[ "$(uname -m)" = x86_64 ] || skip "the guest image is amd64; this host is $(uname -m)"
avail_kb=$(df -Pk "$(dirname "$cache")" | awk 'NR==2 {print $4}')
[ "$avail_kb" -gt $((6 * 1024 * 1024)) ] || skip "less than 6 GB free under $(dirname "$cache")"

# Tests that are not written yet are not a failure of the VM path: drop them, and skip if nothing is left.
present=()
for f in "${filters[@]}"; do
  if find "$here/test" -path "$here/${f#./}*" \( -name '*.test.ts' -o -name '*.test.tsx' \) 2>/dev/null | grep -q .; then
    present+=("$f")
  else
    log "no test files match $f yet: left out"
  fi
done
[ "${#present[@]}" -gt 0 ] || [ "$build_only" = 1 ] || skip "none of the test filters (${filters[*]}) match a test file"

# --- host tools -------------------------------------------------------------------------------------------
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ "${#need[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null || skip "missing ${need[*]} and no apt-get to install them"
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# KVM only when the CPU really offers it: /dev/kvm exists on machines whose CPU lacks vmx/svm, and qemu
# would fail there. TCG works everywhere, 13-18x slower for Node work.
if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
  accel=(-accel kvm -cpu host); accel_name=kvm
else
  # shellcheck disable=SC2054  # the comma belongs to qemu's option
  accel=(-accel tcg,thread=multi -cpu max); accel_name=tcg
fi

# --- cleanup ----------------------------------------------------------------------------------------------
work=""
qemu_pidfile=""
watcher=""
cleanup() {
  set +e   # a cleanup step that finds nothing to do must not stop the others
  [ -z "$watcher" ] || kill "$watcher" 2>/dev/null
  if [ -n "$qemu_pidfile" ] && [ -s "$qemu_pidfile" ]; then
    pid=$(cat "$qemu_pidfile")
    if kill -0 "$pid" 2>/dev/null; then log "stopping qemu (pid $pid)"; kill "$pid" 2>/dev/null || true; fi
  fi
  if [ -n "$work" ] && [ -d "$work" ]; then
    # debootstrap mounts /proc and /sys inside the target; a failed build can leave them mounted.
    findmnt -rn -o TARGET | grep -F "$work/" | sort -r | while read -r m; do umount -l "$m"; done
    rm -rf --one-file-system "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the cached base image --------------------------------------------------------------------------------
default_mirror() {
  local uri
  uri=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | grep -v -- '-security' | grep -oE 'https?://[^ ]*/debian/?' | head -n1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

build_image() {
  local mirror root t0
  mirror=${BOXLAB_VM_MIRROR:-$(default_mirror)}
  work=$(mktemp -d /var/tmp/boxlab-vm-build.XXXXXX)
  root=$work/root
  t0=$(now)
  log "building the Debian 12 base image (debootstrap from $mirror, ~1.5 min)"
  debootstrap --variant=minbase --include="$guest_packages" bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2; log "debootstrap failed"; exit 1; }

  echo boxlab-vm >"$root/etc/hostname"
  printf '127.0.0.1 localhost\n127.0.1.1 boxlab-vm\n' >"$root/etc/hosts"
  echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$root/etc/fstab"
  printf 'deb %s bookworm main\n' "$mirror" >"$root/etc/apt/sources.list"
  # slirp's DNS forwarder; DHCP on the one NIC through systemd-networkd (part of bookworm's systemd).
  rm -f "$root/etc/resolv.conf"; echo 'nameserver 10.0.2.3' >"$root/etc/resolv.conf"
  printf '[Match]\nName=e*\n\n[Network]\nDHCP=ipv4\n' >"$root/etc/systemd/network/10-wired.network"
  install -m 0755 /dev/stdin "$root/usr/local/sbin/boxlab-vm-job" <<'EOF'
#!/bin/bash
# Runs once per boot: unpack the project handed in as a tar on /dev/vdb, run its guest job, then power off.
echo "BOXLAB-VM: job starts $(cut -d' ' -f1 /proc/uptime)s after boot"
rm -rf /root/boxlab && mkdir -p /root/boxlab && cd /root/boxlab || exit 0
if tar -xf /dev/vdb; then bash vm/guest-job.sh; rc=$?; else rc=99; fi
echo "BOXLAB-VM-EXIT: $rc"
exit 0
EOF
  cat >"$root/etc/systemd/system/boxlab-vm-job.service" <<'EOF'
[Unit]
Description=boxlab VM test job
Requires=dev-vdb.device
After=dev-vdb.device network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/boxlab-vm-job
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity
SuccessAction=poweroff
FailureAction=poweroff

[Install]
WantedBy=multi-user.target
EOF
  systemctl --root="$root" enable systemd-networkd.service systemd-networkd-wait-online.service boxlab-vm-job.service >/dev/null 2>&1
  # The guest boots the kernel and initrd copied out below, never /boot: regenerating the initrd when a
  # package asks (busybox-static does) only costs minutes under TCG.
  sed -i 's/^update_initramfs=.*/update_initramfs=no/' "$root/etc/initramfs-tools/update-initramfs.conf"
  # Nobody logs in: no getty on the serial console interleaving its prompt with the job's output.
  systemctl --root="$root" mask serial-getty@ttyS0.service getty@tty1.service >/dev/null 2>&1

  mkdir -p "$cache"
  cp "$(printf '%s\n' "$root"/boot/vmlinuz-* | sort -V | tail -n1)" "$cache/vmlinuz"
  cp "$(printf '%s\n' "$root"/boot/initrd.img-* | sort -V | tail -n1)" "$cache/initrd.img"
  chmod 0644 "$cache/vmlinuz" "$cache/initrd.img"
  rm -f "$root"/var/cache/apt/archives/*.deb
  # mkfs.ext4 -d fills the file system from a directory: no loop device, no nbd, nothing mounted.
  truncate -s 8G "$work/root.raw"
  mkfs.ext4 -q -F -L boxlab-root -d "$root" "$work/root.raw"
  qemu-img convert -O qcow2 "$work/root.raw" "$cache/base.qcow2.tmp"
  mv "$cache/base.qcow2.tmp" "$cache/base.qcow2"
  echo "$recipe" >"$cache/recipe"
  rm -rf --one-file-system "$work"; work=""
  log "base image built in $(( $(now) - t0 ))s: $(du -h "$cache/base.qcow2" | cut -f1) at $cache/base.qcow2"
}

mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9   # one build at a time; runs use private overlays and need no lock after this
if [ "${BOXLAB_VM_REBUILD:-0}" = 1 ] || [ ! -s "$cache/base.qcow2" ] || [ "$(cat "$cache/recipe" 2>/dev/null)" != "$recipe" ]; then
  build_image
else
  log "using the cached base image $cache/base.qcow2 ($recipe)"
fi
flock -u 9
[ "$build_only" = 0 ] || exit 0

# --- one run ----------------------------------------------------------------------------------------------
work=$(mktemp -d /var/tmp/boxlab-vm-run.XXXXXX)
qemu-img create -q -f qcow2 -b "$cache/base.qcow2" -F qcow2 "$work/disk.qcow2"

# The project as the guest gets it: tracked and new files, never node_modules/dist (provisioning makes them).
{
  printf 'BOXLAB_VM_FILTERS=%q\n' "${present[*]}"
  printf 'BOXLAB_VM_ACCEL=%q\n' "$accel_name"
  if command -v npm >/dev/null; then printf 'NPM_CONFIG_REGISTRY=%q\n' "$(npm config get registry)"; fi
} >"$work/.vm-job.env"
if [ "${BOXLAB_VM_SOURCE:-worktree}" = head ]; then
  git -C "$here" archive --format=tar -o "$work/job.tar" HEAD
elif git -C "$here" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$here" ls-files -z -co --exclude-standard \
    | (cd "$here" && tar --null -T - --ignore-failed-read -cf "$work/job.tar" 2>/dev/null)
else
  tar -C "$here" --exclude=./node_modules --exclude=./dist --exclude=./.git --exclude=./.vm-cache -cf "$work/job.tar" .
fi
# CA certificates the host's administrator added (a TLS-inspecting egress proxy's, a company CA): the guest
# reaches the mirror and the registry through the same network as the host, so it must trust the same CAs.
mkdir -p "$work/.vm-ca"
for c in /usr/local/share/ca-certificates/*.crt; do [ -f "$c" ] && cp "$c" "$work/.vm-ca/"; done
tar -C "$work" -rf "$work/job.tar" .vm-job.env .vm-ca

qemu_pidfile=$work/qemu.pid
# The guest powers itself off after its job; should it hang on the way down, stop it 30 s after the job said
# it is over (the overlay is thrown away anyway). qemu deletes its pidfile when it exits.
watch_exit() {
  while sleep 3; do
    if grep -q 'BOXLAB-VM-EXIT:' "$work/console.log" 2>/dev/null; then
      sleep 30
      [ -s "$qemu_pidfile" ] && kill "$(cat "$qemu_pidfile")" 2>/dev/null
      return 0
    fi
  done
}
watch_exit &
watcher=$!
log "booting the guest ($accel_name, $cpus CPUs, ${memory} MB); tests: ${present[*]}; limit ${timeout_s}s; files in $work"
t0=$(now)
set +e
# no_timer_check: under TCG on a loaded host the kernel's early timer test can miss its ticks and panic
# ("IO-APIC + timer doesn't work", seen with a load average of 16); the check only guards broken hardware.
timeout -k 15 "$timeout_s" qemu-system-x86_64 -name boxlab-test-vm "${accel[@]}" -smp "$cpus" -m "$memory" \
  -kernel "$cache/vmlinuz" -initrd "$cache/initrd.img" \
  -append "root=/dev/vda rw console=ttyS0 quiet loglevel=3 panic=1 no_timer_check systemd.show_status=error" \
  -drive file="$work/disk.qcow2",if=virtio,format=qcow2 \
  -drive file="$work/job.tar",if=virtio,format=raw,readonly=on \
  -netdev user,id=n0,ipv6=off -device virtio-net-pci,netdev=n0 -device virtio-rng-pci \
  -display none -monitor none -serial stdio -no-reboot -pidfile "$qemu_pidfile" </dev/null 2>&1 \
  | sed -u 's/\r$//' | tee "$work/console.log" | sed -u 's/^/  vm| /'   # -u: line by line, as it comes
qemu_rc=${PIPESTATUS[0]}
kill "$watcher" 2>/dev/null
set -e
elapsed=$(( $(now) - t0 ))
cp "$work/console.log" "$cache/last-console.log"

if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
  log "FAIL: the guest did not finish within ${timeout_s}s (console: $cache/last-console.log)"
  exit 1
fi
log "guest ran ${elapsed}s in all (qemu exit $qemu_rc); console: $cache/last-console.log"
# (the guest's journal+console output prefixes each line with a timestamp and the unit's name)
grep -oE 'BOXLAB-VM: (TIME|cgroup|provisioning is).*' "$work/console.log" | sed 's/^/  /' || true
if grep -q 'BOXLAB-VM-RESULT: pass' "$work/console.log"; then
  log "PASS"
  exit 0
fi
log "FAIL: $(grep -m1 -oE 'BOXLAB-VM-RESULT:.*' "$work/console.log" || echo 'no result from the guest')"
exit 1
