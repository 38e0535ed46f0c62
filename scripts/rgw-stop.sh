#!/usr/bin/env bash
# Stops the cluster scripts/rgw-start.sh started in DIR, by the PIDs it recorded: the gateway, the OSD and the
# monitor, killed outright. Its files stay in DIR (the OSD's data was in memory and is gone);
# with --purge the entries rgw-start.sh made are removed too. Stopping a cluster that is not running does nothing.
#
#   scripts/rgw-stop.sh DIR [--purge]
set -uo pipefail

C=${1:?usage: rgw-stop.sh DIR [--purge]}
purge=${2:-}
[ -d "$C" ] || exit 0
C=$(cd "$C" && pwd)
if [ ! -f "$C/.ccfs-rgw" ]; then
  echo "rgw-stop: $C holds no cluster started by rgw-start.sh" >&2
  exit 1
fi

# SIGKILL, all at once: the cluster's data is thrown away (the OSD keeps it in memory), so a graceful stop, about 2 s
# per daemon as each waits for the others, would save nothing.
pids=()
for name in client.rgw.a osd.0 mon.a; do
  file=$C/run/$name.pid
  [ -f "$file" ] || continue
  pid=$(cat "$file")
  # The file goes first: a PID left in it could name an unrelated process later.
  rm -f "$file"
  [[ $pid =~ ^[0-9]+$ ]] && kill -9 "$pid" 2>/dev/null && pids+=("$pid")
done
# Gone once the kernel says so (a zombie waiting for its parent counts as gone: it holds no port or memory).
for _ in $(seq 1 50); do
  alive=0
  for pid in "${pids[@]}"; do
    state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)
    [ -n "$state" ] && [ "$state" != Z ] && alive=1
  done
  [ $alive -eq 0 ] && break
  sleep 0.1
done

# The watcher goes last (unless it is what runs this script): if this script is killed half-way, as a test process's
# children may be, the watcher still stops the rest once that process is gone.
watcher=$(cat "$C/run/watch.pid" 2>/dev/null)
if [[ $watcher =~ ^[0-9]+$ ]] && [ "$watcher" != "$PPID" ]; then
  kill "$watcher" 2>/dev/null
fi
rm -f "$C/run/watch.pid"

if [ "$purge" = --purge ]; then
  rm -rf "${C:?}"/{mon,osd,run,log,rgw,ceph.conf,monmap,endpoint,keyring,.ccfs-rgw}
  rmdir "$C" 2>/dev/null || true
fi
