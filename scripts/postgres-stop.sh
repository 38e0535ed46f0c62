#!/usr/bin/env bash
# Stops the cluster scripts/postgres-start.sh started in <folder>, by the PID in its postmaster.pid.
#   scripts/postgres-stop.sh <folder> [--remove]     (--remove deletes the folder afterwards)
set -uo pipefail
W=${1:?usage: postgres-stop.sh <folder> [--remove]}
pidfile=$W/data/postmaster.pid
if [[ -f $pidfile ]]; then
  pid=$(head -1 "$pidfile")
  # SIGINT is PostgreSQL's fast shutdown: clients are disconnected, the cluster stops cleanly.
  kill -INT "$pid" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
fi
if [[ ${2:-} == --remove ]]; then rm -rf "$W"; fi
exit 0
