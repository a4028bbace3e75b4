#!/bin/sh
# Shows what shared, slave and private propagation do, inside a throwaway mount namespace made private
# first, so nothing here can reach the host's mount table. For each mode: does a mount made by the parent
# namespace appear in the child ("in"), and does a mount made by the child appear in the parent ("back")?
# Parent and child take turns through flag files, never through sleeps of a fixed length, so a slow machine
# gives the same answer (propagation itself happens inside mount(2), before it returns).
set -e
flags=$(mktemp -d)
trap 'rm -rf "$flags"' EXIT
# waitfor FILE: wait until FILE exists (60 s at most, then fail loudly instead of hanging)
WAITFOR='waitfor() { n=0; while [ ! -e "$1" ]; do n=$((n + 1)); [ $n -le 1200 ] || { echo "gave up waiting for $1" >&2; exit 1; }; sleep 0.05; done; }'
FLAGS=$flags WAITFOR=$WAITFOR unshare --mount --propagation private sh -c '
  eval "$WAITFOR"
  mount -t tmpfs lab04 /mnt
  mount --make-shared /mnt
  for mode in shared slave private; do
    prop=$mode; [ "$mode" = shared ] && prop=unchanged
    mkdir -p /mnt/in-$mode /mnt/back-$mode
    # the child: a mount namespace of its own and a mount of its own; then it waits for the parent to
    # mount and looks whether that mount arrived
    unshare --mount --propagation $prop sh -c "
      eval \"\$WAITFOR\"
      mount -t tmpfs lab04-back-$mode /mnt/back-$mode
      touch $FLAGS/child-$mode
      waitfor $FLAGS/parent-$mode
      grep -c lab04-in-$mode /proc/self/mountinfo || true
    " > $FLAGS/seen-$mode &
    waitfor $FLAGS/child-$mode
    mount -t tmpfs lab04-in-$mode /mnt/in-$mode
    back=$(grep -c lab04-back-$mode /proc/self/mountinfo || true)
    touch $FLAGS/parent-$mode
    wait $!
    echo "$mode: parent-to-child=$(cat $FLAGS/seen-$mode) child-to-parent=$back"
  done
'
