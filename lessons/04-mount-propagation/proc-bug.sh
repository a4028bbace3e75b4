#!/bin/sh
# Reproduces the "host /proc vanished" bug inside a throwaway mount namespace that plays the host:
# its / is made shared (as systemd does on most hosts), then a "runtime" makes a new mount + pid namespace
# WITHOUT making / private and mounts /proc. $1 = unchanged (the bug) or private (the fix).
# The pretend host counts while the container is known to have mounted its /proc (a flag file says so), never
# after a fixed sleep, so a slow machine gives the same answer.
flags=$(mktemp -d)
trap 'rm -rf "$flags"' EXIT
# waitfor FILE: wait until FILE exists (60 s at most, then fail loudly instead of hanging)
WAITFOR='waitfor() { n=0; while [ ! -e "$1" ]; do n=$((n + 1)); [ $n -le 1200 ] || { echo "gave up waiting for $1" >&2; exit 1; }; sleep 0.05; done; }'
FLAGS=$flags WAITFOR=$WAITFOR unshare --mount --propagation private sh -c '
  eval "$WAITFOR"
  mount --make-rshared /
  before=$(ls -d /proc/[0-9]* | wc -l)
  unshare --mount --pid --fork --propagation '"$1"' sh -c "
    eval \"\$WAITFOR\"
    mount -t proc proc /proc && touch $FLAGS/mounted
    waitfor $FLAGS/counted
  " &
  waitfor $FLAGS/mounted
  during=$(ls -d /proc/[0-9]* | wc -l)
  touch $FLAGS/counted
  wait
  echo "the pretend host sees $before processes in /proc before, $during while the container runs"
'
