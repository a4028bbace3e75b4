#!/bin/sh
# Reproduces the "host /proc vanished" bug inside a throwaway mount namespace that plays the host:
# its / is made shared (as systemd does on most hosts), then a "runtime" makes a new mount + pid namespace
# WITHOUT making / private and mounts /proc. $1 = unchanged (the bug) or private (the fix).
unshare --mount --propagation private sh -c '
  mount --make-rshared /
  before=$(ls -d /proc/[0-9]* | wc -l)
  unshare --mount --pid --fork --propagation '"$1"' sh -c "mount -t proc proc /proc; sleep 0.6" &
  sleep 0.3
  during=$(ls -d /proc/[0-9]* | wc -l)
  wait
  echo "the pretend host sees $before processes in /proc before, $during while the container runs"
'
