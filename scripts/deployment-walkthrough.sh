#!/usr/bin/env bash
# Runs the numbered steps of docs/deployment.md ("The procedure") exactly as written: every ```bash block between
# <!-- procedure:begin --> and <!-- procedure:end -->, in order, in one bash shell, as root, from the repository's
# root; then the teardown block, however the steps ended. Only the variables of step 1 are chosen here (a new
# temporary folder, ports that default to 29xxx, below the ephemeral range so no client connection holds one), which that step lets a caller set. Exits 0 when every step
# succeeded (the last ones upload through haproxy and download from the other node), 1 otherwise, and names the
# step that failed. CI runs it (.ci/run); the whole run takes about two minutes.
#
#   scripts/deployment-walkthrough.sh [LOG_FOLDER]     (the logs of the steps, the teardown and, on failure, the nodes)
#   CCFS_PG_PORT, CCFS_RGW_PORT, CCFS_RGW_MON_PORT, CCFS_NODE_A_PORT, CCFS_NODE_B_PORT, CCFS_LB_PORT choose ports.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
doc=docs/deployment.md
started=$(date +%s)

# Each block with its list indentation removed, preceded by a line that says which step it is.
extract() {
  awk -v begin="<!-- $1:begin -->" -v end="<!-- $1:end -->" -v step="$1" '
    $0 == begin { inside = 1; next }
    $0 == end { inside = 0 }
    !inside { next }
    /^ *[0-9]+\. / && !block { step = $0; sub(/^ */, "", step); sub(/\..*/, "", step); step = "step " step }
    /^ *```bash$/ && !block { block = 1; match($0, /^ */); indent = RLENGTH; n++
      printf "echo \"--- %s block %d (%s, line %d)\"\n", FILENAME, n, step, NR; next }
    /^ *```$/ && block { block = 0; next }
    block { print substr($0, 1, indent) ~ /^ *$/ ? substr($0, indent + 1) : $0 }
  ' "$doc"
}

work=$(mktemp -d /tmp/ccfs-walkthrough.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"   # PostgreSQL runs as the postgres user, which must reach its folder below
logs=${1:-$work/logs}
mkdir -p "$logs"
export CCFS_DEPLOY=$work/deploy
export CCFS_PG_PORT=${CCFS_PG_PORT:-29432} CCFS_RGW_PORT=${CCFS_RGW_PORT:-29480} CCFS_RGW_MON_PORT=${CCFS_RGW_MON_PORT:-29400}
export CCFS_NODE_A_PORT=${CCFS_NODE_A_PORT:-29081} CCFS_NODE_B_PORT=${CCFS_NODE_B_PORT:-29082} CCFS_LB_PORT=${CCFS_LB_PORT:-29443}

{ echo "set -euo pipefail"; extract procedure; } > "$work/procedure.sh"
{ echo "set -uo pipefail"; extract teardown; } > "$work/teardown.sh"
steps=$(grep -c '^echo "--- ' "$work/procedure.sh")
if [ "$steps" -lt 10 ] || ! grep -q '^echo "--- ' "$work/teardown.sh"; then
  echo "deployment walkthrough: $doc has $steps procedure blocks and no teardown block; the markers are missing" >&2
  exit 1
fi

timeout 600 bash "$work/procedure.sh" >"$logs/deployment-procedure.log" 2>&1
code=$?
last=$(grep '^--- ' "$logs/deployment-procedure.log" | tail -1)
if [ $code -ne 0 ]; then
  # The nodes' own logs say why a node did not become ready; keep them beside the procedure's.
  cp "$CCFS_DEPLOY"/log/*.log "$logs/" 2>/dev/null
  # And PostgreSQL's and the gateway's own, for a back-end that would not start.
  cp "$CCFS_DEPLOY"/pg/server.log "$logs/postgres-server.log" 2>/dev/null
  mkdir -p "$logs/rgw" && cp "$CCFS_DEPLOY"/rgw/log/*.log "$logs/rgw/" 2>/dev/null
fi
bash "$work/teardown.sh" >"$logs/deployment-teardown.log" 2>&1 || echo "deployment walkthrough: the teardown failed" >&2

if [ $code -eq 0 ]; then
  echo "deployment walkthrough: $steps blocks of $doc passed in $(($(date +%s) - started)) s"
else
  echo "deployment walkthrough: failed (exit $code) in ${last#--- } after $(($(date +%s) - started)) s; see $logs/deployment-procedure.log" >&2
  tail -20 "$logs/deployment-procedure.log" >&2
fi
exit $((code == 0 ? 0 : 1))
