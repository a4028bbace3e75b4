#!/bin/bash
# docker-py's own integration suite (tests/integration of docker/docker-py 7.1.0, API pinned to 1.41) against a
# private boxlabd of THIS checkout, in a throwaway network namespace (no egress, no shared socket).
# A measurement for issue 17, not part of `npm test`: it takes ~4 min and needs docker-py's sources
# (DOCKERPY_SRC, a checkout of docker/docker-py at 7.1.0), the python `docker` 7.1.0 package, python3-pytest
# and pytest-timeout.
#   usage: test/compat/docker-py.sh NAME [pytest selection]   → $OUT/result-NAME.txt, $OUT/daemon-NAME.log
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
CLI=$REPO/dist/cli/main.js
SRC=${DOCKERPY_SRC:-/tmp/api-dockerpy}
OUT=${OUT:-/tmp/api-dpy}
NAME=${1:?usage: docker-py.sh NAME [pytest selection]}
[ -f "$CLI" ] || { echo "no $CLI: run npm run build first" >&2; exit 2; }
[ -d "$SRC/tests/integration" ] || { echo "no docker-py sources in $SRC (set DOCKERPY_SRC)" >&2; exit 2; }
mkdir -p "$OUT"
R=$(mktemp -d /tmp/boxlab-dpy-XXXX); S=$R/boxlab.sock; P=boxlab-dpy-$$
# the daemon's "host" is a fresh netns with only loopback: containers cannot reach anything outside
unshare --net -- sh -c 'ip link set lo up && exec "$0" "$@"' node "$CLI" --root $R --socket $S daemon --cgroup-parent $P > $R.log 2>&1 &
DPID=$!
echo "daemon pid $DPID root $R"
for i in $(seq 150); do [ -S $S ] && docker -H unix://$S version >/dev/null 2>&1 && break; sleep 0.2; done
D="docker -H unix://$S"
# busybox comes from boxlab's bundled image; the suite's other images are tags of it (no registry)
node "$CLI" --root $R --socket $S run --rm busybox true >/dev/null 2>&1
for t in alpine:3.10 alpine:latest busybox:latest busybox:buildroot-2014.02; do $D tag busybox $t; done
cd "$SRC"
START=$(date +%s)
# credentials/utils_test reads the host's environment, not the daemon: deselected
# HOME of its own: the context tests write ~/.docker/contexts and must not see another run's leftovers
mkdir -p $R/home
nsenter --net=/proc/$DPID/ns/net -- env HOME=$R/home DOCKER_HOST=unix://$S DOCKER_TEST_API_VERSION=1.41 timeout 1200 \
  python3 -m pytest -q -p no:cacheprovider --timeout 30 -rfEs \
  --deselect tests/integration/credentials/utils_test.py::test_create_environment_dict \
  ${2:-tests/integration} > "$OUT/result-$NAME.txt" 2>&1
echo "elapsed $(( $(date +%s) - START ))s" >> "$OUT/result-$NAME.txt"
curl -s --unix-socket $S -X POST http://x/boxlab/reset >/dev/null
kill $DPID; wait $DPID
cp $R.log "$OUT/daemon-$NAME.log"; rm -rf $R $R.log
tail -1 "$OUT/result-$NAME.txt" | head -1; grep -E '^[0-9]+ (passed|failed)|passed|failed' "$OUT/result-$NAME.txt" | tail -1
