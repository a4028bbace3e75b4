#!/bin/sh
# Shows what shared, slave and private propagation do, inside a throwaway mount namespace made private
# first, so nothing here can reach the host's mount table. For each mode: does a mount made by the parent
# namespace appear in the child ("in"), and does a mount made by the child appear in the parent ("back")?
set -e
unshare --mount --propagation private sh -c '
  mount -t tmpfs lab04 /mnt
  mount --make-shared /mnt
  for mode in shared slave private; do
    prop=$mode; [ "$mode" = shared ] && prop=unchanged
    mkdir -p /mnt/in-$mode /mnt/back-$mode
    unshare --mount --propagation $prop sh -c "
      mount -t tmpfs lab04-back-$mode /mnt/back-$mode
      sleep 0.4
      grep -c lab04-in-$mode /proc/self/mountinfo > /mnt/back-$mode/seen || true
      cat /mnt/back-$mode/seen
    " > /tmp/.lab04-$$-$mode &
    sleep 0.2
    mount -t tmpfs lab04-in-$mode /mnt/in-$mode
    back=$(grep -c lab04-back-$mode /proc/self/mountinfo || true)
    wait
    echo "$mode: parent-to-child=$(cat /tmp/.lab04-$$-$mode) child-to-parent=$back"
    rm -f /tmp/.lab04-$$-$mode
  done
'
