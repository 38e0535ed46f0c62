#!/usr/bin/env bash
# Stops the cluster scripts/rgw-start.sh started in DIR, by the PIDs it recorded: the gateway, the OSD, then the
# monitor (SIGTERM, then SIGKILL after 10 s). Its files stay in DIR (the OSD's data was in memory and is gone);
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

stop() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  # The file goes first: a PID left in it could name an unrelated process later.
  rm -f "$file"
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -9 "$pid" 2>/dev/null
}

# The watcher goes first, unless it is what runs this script.
if [ -f "$C/run/watch.pid" ] && [ "$(cat "$C/run/watch.pid")" != "$PPID" ]; then
  stop "$C/run/watch.pid"
fi
rm -f "$C/run/watch.pid"
for name in client.rgw.a osd.0 mon.a; do
  stop "$C/run/$name.pid"
done

if [ "$purge" = --purge ]; then
  rm -rf "${C:?}"/{mon,osd,run,log,rgw,ceph.conf,monmap,endpoint,keyring,.ccfs-rgw}
  rmdir "$C" 2>/dev/null || true
fi
