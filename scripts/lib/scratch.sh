# Sourced by the measurement scripts (from the repository root), after scripts/lib/postgres.sh if they use it:
#   $work          a scratch folder, removed at exit
#   pids           the processes the script starts; append to it, and they are stopped at exit
#   stop_started   stops them now (a script that restarts its servers between runs)
#   cleanup_more   define it to undo something more at exit, before the folder goes
work=$(mktemp -d)
chmod 755 "$work"   # a private PostgreSQL runs as the postgres user, which must reach its folder
pids=()

stop_started() {
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
}

scratch_cleanup() {
  stop_started
  if declare -F cleanup_more >/dev/null; then cleanup_more || true; fi
  if declare -F stop_private_postgres >/dev/null; then stop_private_postgres || true; fi
  rm -rf "$work"
}
trap scratch_cleanup EXIT
