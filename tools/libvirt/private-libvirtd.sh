#!/bin/sh
# A private libvirtd (QEMU driver) for the test suite: everything it reads
# and writes lives under DIR, and nothing on the host changes.
#   usage: private-libvirtd.sh DIR WATCH_PID LIFETIME_SEC
# It runs in its own mount namespace (unshare), where DIR's files are
# mounted over /etc/libvirt, /var and /run, and over /etc/passwd and
# /etc/group: copies that add the libvirt-qemu user and group, which the
# QEMU driver insists on even when qemu.conf says user = "root". Outside the
# namespace the host's /etc, /var and /run are untouched; a libvirtd of the
# host's own, if any, is not disturbed. Its socket is DIR/sock/libvirt-sock:
#   virsh -c 'qemu:///system?socket=DIR/sock/libvirt-sock' ...
# QEMU runs as root without a security driver, and its stderr goes to
# DIR/var/log/libvirt/qemu/ without virtlogd (stdio_handler = "file").
# libvirtd logs to DIR/libvirtd.log, this script (once in the namespace)
# to DIR/supervisor.log.
#
# This script stays libvirtd's parent and stops it on SIGTERM/SIGINT/SIGHUP,
# when WATCH_PID (the test runner) is gone, or after LIFETIME_SEC; libvirtd
# leaves its QEMUs running when it stops (that is its design), so the script
# then kills every QEMU that libvirtd's pid files name (checking that the
# process is that domain's QEMU first). It exits when all of that is done.
# Owns: DIR's layout and config files, libvirtd and its QEMUs.
# Never: writes outside DIR, or kills a process not started under DIR.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 DIR WATCH_PID LIFETIME_SEC" >&2; exit 2; }
D=$(cd "$1" && pwd)
WATCH=$2
LIFETIME=$3
for t in libvirtd unshare mount; do
  command -v $t >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
  command -v $t >/dev/null 2>&1 || { echo "private-libvirtd: $t not found" >&2; exit 1; }
done
mkdir -p "$D/etc" "$D/var/lib/libvirt" "$D/var/log/libvirt" "$D/var/cache/libvirt" "$D/var/tmp" \
         "$D/run/libvirt" "$D/run/lock" "$D/sock"
chmod 1777 "$D/var/tmp"
ln -sfn /run "$D/var/run"
ln -sfn /run/lock "$D/var/lock"
cp /etc/passwd "$D/passwd"
cp /etc/group "$D/group"
grep -q '^libvirt-qemu:' "$D/group" || echo 'libvirt-qemu:x:64055:' >> "$D/group"
grep -q '^libvirt-qemu:' "$D/passwd" ||
  echo 'libvirt-qemu:x:64055:64055:libvirt QEMU (private libvirtd):/var/lib/libvirt:/usr/sbin/nologin' >> "$D/passwd"
cat > "$D/etc/qemu.conf" <<CONF
# private libvirtd (tools/libvirt/private-libvirtd.sh): QEMU runs as root,
# without a security driver; its stderr goes straight to a file.
user = "root"
group = "root"
security_driver = "none"
stdio_handler = "file"
CONF
cat > "$D/etc/libvirtd.conf" <<CONF
# private libvirtd (tools/libvirt/private-libvirtd.sh): one socket, root only.
unix_sock_dir = "$D/sock"
unix_sock_rw_perms = "0700"
unix_sock_ro_perms = "0700"
unix_sock_admin_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$D/libvirtd.log"
CONF
exec unshare --mount --propagation private -- sh -c '
  set -u
  D=$1 WATCH=$2 LIFETIME=$3
  # From here on nothing writes to the pipes of whoever started this (they
  # may be gone: a write would end the script by SIGPIPE before it cleans up).
  exec </dev/null >>"$D/supervisor.log" 2>&1
  trap "" PIPE
  mount --bind "$D/etc" /etc/libvirt &&
  mount --bind "$D/var" /var &&
  mount --bind "$D/run" /run &&
  mount --bind "$D/passwd" /etc/passwd &&
  mount --bind "$D/group" /etc/group || { echo "private-libvirtd: could not mount its directories" >&2; exit 1; }
  libvirtd --config "$D/etc/libvirtd.conf" --pid-file "$D/libvirtd.pid" &
  pid=$!
  stopping=0
  stop() { [ $stopping = 1 ] || { stopping=1; kill -TERM $pid 2>/dev/null; }; }
  trap stop TERM INT HUP
  t=0
  while kill -0 $pid 2>/dev/null; do
    if ! kill -0 "$WATCH" 2>/dev/null; then echo "private-libvirtd: process $WATCH is gone; stopping" >&2; stop; fi
    if [ $t -ge "$LIFETIME" ]; then echo "private-libvirtd: lifetime of $LIFETIME s is over; stopping" >&2; stop; fi
    sleep 1 & wait $! 2>/dev/null || true
    t=$((t + 1))
  done
  wait $pid 2>/dev/null
  status=$?
  for f in /run/libvirt/qemu/*.pid; do
    [ -f "$f" ] || continue
    name=$(basename "$f" .pid)
    q=$(cat "$f" 2>/dev/null || true)
    case "$q" in ""|*[!0-9]*) continue ;; esac
    if tr "\0" " " < /proc/$q/cmdline 2>/dev/null | grep -q -- "-name guest=$name,"; then
      echo "private-libvirtd: killing the QEMU of domain $name (pid $q), left running by libvirtd" >&2
      kill -KILL "$q" 2>/dev/null || true
    fi
  done
  exit $status
' private-libvirtd "$D" "$WATCH" "$LIFETIME"
