#!/usr/bin/env bash
# Sets up a Debian 12 / Ubuntu 22.04+ machine for boxlab, idempotently: host tools, Node >= 20 with npm >= 11.6,
# the project's dependencies and build, `boxlab` on PATH. Run as root from anywhere inside the project.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { printf '\033[1mprovision:\033[0m %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "provision.sh: run as root (sudo bash vm/provision.sh)" >&2
  exit 1
fi

apt_packages=(busybox-static iptables iproute2 util-linux procps psmisc curl ca-certificates tmux bridge-utils kmod)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node >= 20 and npm >= 11.6 (older npm cannot install vitest 4). Debian 12's apt has only Node 18, so take
# Node and npm from the npm registry itself: the node-linux-<arch> package carries bin/node.
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }
node_ok() { command -v node >/dev/null && version_ge "$(node -p process.versions.node)" 20.0.0; }
npm_ok() { command -v npm >/dev/null && version_ge "$(npm --version)" 11.6.0; }
registry=${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}
if ! node_ok; then
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) echo "unsupported arch $(uname -m)" >&2; exit 1 ;; esac
  log "installing Node 20 from the npm registry (node-linux-$arch)"
  ver=$(curl -fsSL "$registry/node-linux-$arch" | python3 -c 'import json,sys; d=json.load(sys.stdin); v=[k for k in d["versions"] if k.startswith("20.")]; v.sort(key=lambda s: tuple(int(x) for x in s.split("."))); print(v[-1])' 2>/dev/null || true)
  if [ -z "$ver" ]; then
    ver=$(curl -fsSL "$registry/node-linux-$arch" | grep -o '"20\.[0-9]*\.[0-9]*"' | tr -d '"' | sort -V | tail -n1)
  fi
  tmp=$(mktemp -d)
  curl -fsSL "$registry/node-linux-$arch/-/node-linux-$arch-$ver.tgz" | tar -xz -C "$tmp"
  cp -a "$tmp/package/bin/node" /usr/local/bin/node
  mkdir -p /usr/local/include /usr/local/share
  [ -d "$tmp/package/include" ] && cp -a "$tmp/package/include/." /usr/local/include/
  rm -rf "$tmp"
fi
if ! npm_ok; then
  log "installing npm 11 from the npm registry"
  ver=$(curl -fsSL "$registry/npm" | grep -o '"11\.[0-9]*\.[0-9]*"' | tr -d '"' | sort -V | tail -n1)
  tmp=$(mktemp -d)
  curl -fsSL "$registry/npm/-/npm-$ver.tgz" | tar -xz -C "$tmp"
  rm -rf /usr/local/lib/node_modules/npm
  mkdir -p /usr/local/lib/node_modules
  mv "$tmp/package" /usr/local/lib/node_modules/npm
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
  rm -rf "$tmp"
  hash -r
fi

cd "$here"
log "node $(node --version), npm $(npm --version)"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
log "building"
npm run --silent build
ln -sf "$here/bin/boxlab" /usr/local/bin/boxlab
log "boxlab is on PATH: $(command -v boxlab)"
