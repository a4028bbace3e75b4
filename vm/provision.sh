#!/usr/bin/env bash
# Sets up a Debian 12 / Ubuntu 22.04+ machine for boxlab, idempotently: the host tools the lessons use,
# Node >= 20 with npm >= 11.6, the project's dependencies and build, `boxlab` on PATH, and boxlabd as a
# systemd unit where systemd runs. Run as root from anywhere inside the project:
#
#   sudo bash vm/provision.sh            provision (a second run changes nothing it does not have to)
#   sudo bash vm/provision.sh --check    say what the system part (apt, Node, npm) would change; change nothing;
#                                        exit 0 when it is up to date, 3 when not
#
# Environment: BOXLAB_GREET=1 installs the login greeting (the Vagrant VM sets it); BOXLAB_NODE_MAJOR=20 picks
# the Node line taken from the registry; NPM_CONFIG_REGISTRY is honoured for every download.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# bold only on a terminal: a log file or CI output gets plain text, not raw escape codes
if [ -t 1 ]; then log() { printf '\033[1mprovision:\033[0m %s\n' "$*"; }; else log() { printf 'provision: %s\n' "$*"; }; fi
check=0
case "${1:-}" in
  --check) check=1 ;;
  '') ;;
  *) echo "usage: bash vm/provision.sh [--check]" >&2; exit 2 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
  echo "provision.sh: run as root (sudo bash vm/provision.sh)" >&2
  exit 1
fi
pending=()   # what --check found out of date

# --- apt: the tools the lessons run -----------------------------------------------------------------------
# kmod: the kernel loads overlay/veth/bridge/nat modules on demand through /sbin/modprobe.
# nftables: lesson 22 shows iptables-nft's rules as nft sees them. docker-registry: lesson 35's own registry.
# locales: the course is in Chinese too (--lang zh); a UTF-8 locale lets the terminal show it.
# gcc, libc6-dev: npm run build compiles boxlab-shim, the per-container supervisor in C (docs/live-restore.md).
apt_packages=(busybox-static gcc libc6-dev iptables nftables iproute2 util-linux procps psmisc iputils-ping curl ca-certificates tmux kmod docker-registry locales)
missing=()
for p in "${apt_packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = 'install ok installed' ] || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  log "apt packages: all installed"
elif [ "$check" = 1 ]; then
  pending+=("apt-get install ${missing[*]}")
else
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get update: reading the package lists (about a minute)"
  apt-get update -qq
  # busybox-static and kmod trigger update-initramfs, which rebuilds the initramfs of every installed kernel:
  # on a slow VM that alone takes several minutes (up to ~15 with TCG emulation). apt's own chatter goes to
  # a log file; say what is going on so the silence is not mistaken for a hang.
  apt_log=$(mktemp /tmp/boxlab-provision-apt.XXXXXX)
  log "apt-get install: downloading and unpacking ${#missing[@]} package(s), then update-initramfs rebuilds the initramfs — this can take 2 to 15 minutes on a slow VM; progress: tail -f $apt_log"
  start=$SECONDS
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2
    echo "provision.sh: apt-get install failed (full log: $apt_log)" >&2
    exit 1
  fi
  log "apt-get install: done in $((SECONDS - start)) s"
  rm -f "$apt_log"
fi

# docker-registry: lesson 35 starts its own registry on 127.0.0.1 with a throwaway store. The package also
# enables a system service listening on :5000 on every interface; a learner's VM should not serve one.
if [ -d /run/systemd/system ] && systemctl is-enabled --quiet docker-registry 2>/dev/null; then
  if [ "$check" = 1 ]; then pending+=("systemctl disable --now docker-registry"); else systemctl disable --now docker-registry >/dev/null 2>&1 || true; log "docker-registry service disabled (lessons start their own)"; fi
fi

# --- Node >= 20 and npm >= 11.6 ---------------------------------------------------------------------------
# Debian 12's apt has only Node 18 (and `apt-get install npm` drags in ~600 packages); npm < 11.6 cannot
# install vitest 4. Both come from the npm registry itself, needing nothing but curl: the node-linux-<arch>
# package carries bin/node, the npm package is npm. npm 12 needs Node 22, so npm stays on 11.
node_major=${BOXLAB_NODE_MAJOR:-20}
registry=${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}
registry=${registry%/}
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }
node_ok() { command -v node >/dev/null && version_ge "$(node -p process.versions.node)" 20.0.0; }
npm_ok() { command -v npm >/dev/null && version_ge "$(npm --version)" 11.6.0; }
# The registry does not resolve ranges in tarball URLs: pick the newest matching tarball from the package
# document (matching tarball names leaves out prereleases, whose names carry a '-').
newest_tarball() { # package, major version
  { curl -fsSL --retry 3 --connect-timeout 30 "$registry/$1" || echo "provision.sh: cannot read $registry/$1" >&2; } \
    | { grep -oE "$1-$2\.[0-9]+\.[0-9]+\.tgz" || true; } | sort -uV | tail -n1
}
fetch_package() { # package, tarball name, dir: unpacks to dir/package
  curl -fsSL --retry 3 --connect-timeout 30 "$registry/$1/-/$2" | tar -xz -C "$3"
}
if node_ok; then
  log "node $(node --version) ($(command -v node))"
elif [ "$check" = 1 ]; then
  pending+=("install Node $node_major from the registry")
else
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) echo "provision.sh: no Node build for $(uname -m)" >&2; exit 1 ;; esac
  log "looking up Node $node_major.x at $registry/node-linux-$arch"
  tgz=$(newest_tarball "node-linux-$arch" "$node_major")
  [ -n "$tgz" ] || { echo "provision.sh: no node-linux-$arch $node_major.x at $registry" >&2; exit 1; }
  log "installing Node from the npm registry: $tgz"
  tmp=$(mktemp -d)
  fetch_package "node-linux-$arch" "$tgz" "$tmp"
  install -m 0755 "$tmp/package/bin/node" /usr/local/bin/node
  if [ -d "$tmp/package/include" ]; then mkdir -p /usr/local/include && cp -a "$tmp/package/include/." /usr/local/include/; fi
  rm -rf "$tmp"
  hash -r
fi
if npm_ok; then
  log "npm $(npm --version) ($(command -v npm))"
elif [ "$check" = 1 ]; then
  pending+=("install npm 11 from the registry")
else
  tgz=$(newest_tarball npm 11)
  [ -n "$tgz" ] || { echo "provision.sh: no npm 11.x at $registry" >&2; exit 1; }
  log "installing npm from the npm registry: $tgz"
  tmp=$(mktemp -d)
  fetch_package npm "$tgz" "$tmp"
  rm -rf /usr/local/lib/node_modules/npm
  mkdir -p /usr/local/lib/node_modules
  mv "$tmp/package" /usr/local/lib/node_modules/npm
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
  rm -rf "$tmp"
  hash -r
fi

# --- UTF-8 locales: English and Chinese -------------------------------------------------------------------
# glibc names a generated UTF-8 locale "xx_YY.utf8" in `locale -a`. Debian generates what /etc/locale.gen
# lists; Ubuntu's locale-gen also takes the names as arguments. LANG defaults to en_US.UTF-8 when unset, so
# the terminal can show the Chinese of `boxlab --lang zh` (LANG=zh_CN.UTF-8 makes Chinese the default).
want_locales=(en_US.UTF-8 zh_CN.UTF-8)
missing_locales=()
for l in "${want_locales[@]}"; do
  locale -a 2>/dev/null | grep -qix "${l%%.*}.utf8" || missing_locales+=("$l")
done
if [ "${#missing_locales[@]}" -eq 0 ]; then
  log "locales: ${want_locales[*]} present"
elif [ "$check" = 1 ]; then
  pending+=("generate locales ${missing_locales[*]}")
elif command -v locale-gen >/dev/null; then
  log "generating locales ${missing_locales[*]}"
  if [ -f /etc/locale.gen ]; then
    for l in "${missing_locales[@]}"; do
      grep -qE "^${l} UTF-8" /etc/locale.gen || sed -i -E "s/^# *(${l} UTF-8)/\1/" /etc/locale.gen
      grep -qE "^${l} UTF-8" /etc/locale.gen || echo "${l} UTF-8" >>/etc/locale.gen
    done
    locale-gen >/dev/null
  else
    locale-gen "${missing_locales[@]}" >/dev/null
  fi
fi
if [ "$check" = 0 ] && command -v update-locale >/dev/null && ! grep -qs '^LANG=' /etc/default/locale; then
  update-locale LANG=en_US.UTF-8
fi

if [ "$check" = 1 ]; then
  if [ "${#pending[@]}" -eq 0 ]; then log "nothing to do"; exit 0; fi
  for p in "${pending[@]}"; do log "would: $p"; done
  exit 3
fi

# --- the project ------------------------------------------------------------------------------------------
cd "$here"
# npm ci again only when the lock file or the Node line changed (or node_modules came from another machine,
# e.g. synced from a macOS host): the marker records what the tree was installed for.
stamp="$(sha256sum package-lock.json | cut -d' ' -f1) node$(node -p 'process.versions.modules') $(uname -m)"
marker=node_modules/.boxlab-provisioned
fresh_deps=0
if [ "$(cat "$marker" 2>/dev/null)" != "$stamp" ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$stamp" >"$marker"
  fresh_deps=1
else
  log "dependencies: up to date"
fi
# Build again only when a source, tsconfig or the lock changed: a second provisioning is then a no-op.
src_dirs=()
for d in cli engine course tui bench; do [ -d "$d" ] && src_dirs+=("$d"); done
build_stamp=$( { sha256sum package-lock.json tsconfig*.json; find "${src_dirs[@]}" -type f \( -name '*.ts' -o -name '*.tsx' \) -print0 | sort -z | xargs -0 -r sha256sum; } | sha256sum | cut -d' ' -f1)
if [ "$(cat dist/.boxlab-build 2>/dev/null)" != "$build_stamp" ] || [ ! -f dist/cli/main.js ]; then
  log "building"
  npm run --silent build
  echo "$build_stamp" >dist/.boxlab-build
else
  log "build: up to date"
fi
if [ "$(readlink /usr/local/bin/boxlab 2>/dev/null)" != "$here/bin/boxlab" ]; then
  ln -sfn "$here/bin/boxlab" /usr/local/bin/boxlab
fi
log "boxlab is on PATH: /usr/local/bin/boxlab -> $here/bin/boxlab"

# --- the login greeting (the VM only) ---------------------------------------------------------------------
if [ "${BOXLAB_GREET:-0}" = 1 ]; then
  sed "s|@BOXLAB_HOME@|$here|g" vm/greeting.sh >/etc/profile.d/boxlab.sh.new
  if cmp -s /etc/profile.d/boxlab.sh.new /etc/profile.d/boxlab.sh; then rm /etc/profile.d/boxlab.sh.new
  else mv /etc/profile.d/boxlab.sh.new /etc/profile.d/boxlab.sh; log "login greeting installed (/etc/profile.d/boxlab.sh)"; fi
fi

# --- boxlabd under systemd --------------------------------------------------------------------------------
# /run/systemd/system exists exactly when systemd is PID 1 (sd_booted(3)); containers and CI sandboxes
# without it start the daemon on demand from the CLI instead.
if [ ! -d /run/systemd/system ]; then
  log "systemd is not running here (PID 1 is $(cat /proc/1/comm)): boxlabd unit skipped; the CLI starts the daemon on demand"
  exit 0
fi
unit_changed=0
if ! cmp -s vm/boxlabd.service /etc/systemd/system/boxlabd.service; then
  install -m 0644 vm/boxlabd.service /etc/systemd/system/boxlabd.service
  systemctl daemon-reload
  unit_changed=1
  log "installed /etc/systemd/system/boxlabd.service"
fi
# (help captured first: `grep -q` closing the pipe early would fail the pipeline under pipefail)
commands=$(boxlab --help 2>/dev/null || true)
if ! grep -qE '^ *daemon\b' <<<"$commands"; then
  # TODO(lead): remove once `boxlab daemon` exists; until then the unit is installed but not enabled.
  log "this build has no 'boxlab daemon' yet: boxlabd.service installed, not enabled"
  exit 0
fi
systemctl enable --quiet boxlabd.service
if ! systemctl is-active --quiet boxlabd.service; then
  systemctl start boxlabd.service
elif [ "$unit_changed" = 1 ] || [ "$fresh_deps" = 1 ]; then
  systemctl restart boxlabd.service
fi
sleep 1
if systemctl is-active --quiet boxlabd.service; then
  log "boxlabd is running (systemctl status boxlabd)"
else
  log "WARNING: boxlabd did not stay up; see: journalctl -u boxlabd"
fi
# The offline base image: the daemon creates the busybox image lazily on first start; listing the images
# makes it do so now rather than during the first lesson.
# TODO(lead): call a dedicated warm-up (e.g. `boxlab images --warm`) if one appears.
if grep -qE '^ *images\b' <<<"$commands"; then
  if boxlab images >/dev/null 2>&1; then log "base image ready"
  else log "WARNING: 'boxlab images' failed; the base image is made on first use"; fi
fi
