#!/usr/bin/env bash
# A throwaway one-node Ceph (1 monitor, 1 OSD keeping its data in memory, 1 RADOS gateway) that gives S3 on
# 127.0.0.1, with every file under DIR. For tests and trials only: nothing it stores survives rgw-stop.sh.
#
#   scripts/rgw-start.sh DIR                   # about 15 s; prints the endpoint as URL|ACCESS_KEY|SECRET_KEY
#   RGW_PORT=63080 RGW_MON_PORT=63000 scripts/rgw-start.sh /tmp/rgw
#   scripts/rgw-stop.sh DIR                    # stops it by the PIDs it recorded
#
# It installs radosgw, ceph-mon and ceph-osd with apt-get when they are missing (as root), creates one S3 user with
# the given keys and nothing else (no bucket), and warms the gateway up with one PUT (the first one creates the data
# pools and takes seconds), so the first real request is fast. Clients of the cluster itself (ceph, radosgw-admin)
# need `export CEPH_CONF=DIR/ceph.conf`.
#
# Environment (defaults in brackets):
#   RGW_PORT        [63080]  the S3 endpoint's port       RGW_MON_PORT   [63000]  the monitor's port
#   RGW_ACCESS_KEY  [ccfs-test-ak]                        RGW_SECRET_KEY [ccfs-test-sk-0123456789]
#   RGW_WATCH_PID   a process id: when it ends, the cluster is stopped and DIR removed (a test run that is killed
#                   leaves nothing behind)
#   RGW_OSD_MEMORY  [2147483648]  bytes the in-memory OSD may hold
# The OSD takes its ports from Ceph's range 6800-7300, as any OSD does (the first free ones), on 127.0.0.1 only.
#
# Run it twice on the same DIR and the second run reports the running cluster and exits 0. DIR must be empty, absent,
# or a folder this script made (then what a stopped cluster left there is replaced).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

C=${1:?usage: rgw-start.sh DIR}
mon_port=${RGW_MON_PORT:-63000}
rgw_port=${RGW_PORT:-63080}
access_key=${RGW_ACCESS_KEY:-ccfs-test-ak}
secret_key=${RGW_SECRET_KEY:-ccfs-test-sk-0123456789}
osd_memory=${RGW_OSD_MEMORY:-2147483648}
marker=.ccfs-rgw

for port in "$mon_port" "$rgw_port"; do
  [[ $port =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || { echo "rgw-start: '$port' is not a port" >&2; exit 2; }
done
[ "$mon_port" != "$rgw_port" ] || { echo "rgw-start: RGW_PORT and RGW_MON_PORT must differ" >&2; exit 2; }
for key in "$access_key" "$secret_key"; do
  [[ $key =~ ^[A-Za-z0-9+/=_.-]{3,128}$ ]] || { echo "rgw-start: keys are 3-128 characters of A-Z a-z 0-9 + / = _ . -" >&2; exit 2; }
done

mkdir -p "$C"
C=$(cd "$C" && pwd)
endpoint="http://127.0.0.1:$rgw_port"

alive() { [ -f "$C/run/$1.pid" ] && kill -0 "$(cat "$C/run/$1.pid")" 2>/dev/null; }

if [ -f "$C/$marker" ]; then
  if alive client.rgw.a || alive osd.0 || alive mon.a; then
    if alive client.rgw.a && alive osd.0 && alive mon.a; then
      echo "rgw-start: a cluster is already running in $C ($(cat "$C/$marker"))" >&2
      cat "$C/endpoint"
      exit 0
    fi
    echo "rgw-start: a cluster in $C is partly running; stop it first: scripts/rgw-stop.sh $C" >&2
    exit 1
  fi
  # What a stopped cluster left behind: only the entries this script makes are removed.
  rm -rf "${C:?}"/{mon,osd,run,log,rgw,ceph.conf,monmap,endpoint,$marker}
elif [ -n "$(ls -A "$C")" ]; then
  echo "rgw-start: $C is not empty and was not made by rgw-start.sh; give an empty or absent folder" >&2
  exit 1
fi

missing=()
for tool in radosgw ceph-mon ceph-osd; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "rgw-start: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends radosgw ceph-mon ceph-osd >/dev/null
fi
command -v curl >/dev/null 2>&1 || { echo "rgw-start: curl is needed" >&2; exit 1; }

for port in "$mon_port" "$rgw_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "rgw-start: 127.0.0.1:$port is already in use" >&2
    exit 1
  fi
done

mkdir -p "$C"/{mon,osd,run,log,rgw}
echo "mon 127.0.0.1:$mon_port, S3 $endpoint, started $(date -u +%FT%TZ)" >"$C/$marker"
fsid=$(cat /proc/sys/kernel/random/uuid)
cat >"$C/ceph.conf" <<CONF
[global]
fsid = $fsid
mon_host = v1:127.0.0.1:$mon_port
public_network = 127.0.0.0/8
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
keyring = $C/keyring
run_dir = $C/run
log_file = $C/log/\$name.log
admin_socket = $C/run/\$name.asok
pid_file = $C/run/\$name.pid
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
mon_warn_on_pool_no_redundancy = false
ms_bind_ipv6 = false
[mon]
mon_data = $C/mon/\$name
mon_cluster_log_file = default=$C/log/\$channel.log cluster=$C/log/cluster.log
paxos_propose_interval = 0.05
paxos_min_wait = 0.01
[osd]
osd_data = $C/osd/\$name
osd_objectstore = memstore
memstore_device_bytes = $osd_memory
osd_journal_size = 0
osd_crush_update_on_start = false
osd_class_update_on_start = false
[client.rgw.a]
rgw_frontends = beast endpoint=127.0.0.1:$rgw_port
rgw_data = $C/rgw
rgw_dns_name = 127.0.0.1
CONF
export CEPH_CONF=$C/ceph.conf

fail() {
  echo "rgw-start: $1; logs in $C/log" >&2
  "$repo/scripts/rgw-stop.sh" "$C" >/dev/null 2>&1 || true
  exit 1
}

# A watcher that stops the cluster and removes DIR when RGW_WATCH_PID ends; started first, so a failure below leaves
# nothing running.
if [ -n "${RGW_WATCH_PID:-}" ]; then
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -f "$2/.ccfs-rgw" ]; do sleep 1; done; "$3" "$2" --purge >/dev/null 2>&1' \
    rgw-watch "$RGW_WATCH_PID" "$C" "$repo/scripts/rgw-stop.sh" </dev/null >/dev/null 2>&1 &
  echo $! >"$C/run/watch.pid"
fi

monmaptool --create --clobber --fsid "$fsid" --addv a "[v1:127.0.0.1:$mon_port]" "$C/monmap" >/dev/null
ceph-mon --mkfs -i a --monmap "$C/monmap" 2>>"$C/log/mon-mkfs.log" || fail "the monitor could not be created"
ceph-mon -i a 2>>"$C/log/daemons.log" || fail "the monitor did not start"
# The OSD's uuid is given to both sides, so the monitor never sees an OSD it does not know.
osd_uuid=$(cat /proc/sys/kernel/random/uuid)
# Once, right after the packages were installed, the monitor's first answer was EPERM ("problem getting command
# descriptions"); asked again a moment later, it answered. So it is asked up to three times.
for attempt in 1 2 3; do
  osd_id=$(ceph --connect-timeout 30 osd create "$osd_uuid" 2>>"$C/log/daemons.log") && break
  [ "$attempt" = 3 ] && fail "the monitor does not answer"
  sleep 2
done
[ "$osd_id" = 0 ] || fail "the monitor gave the OSD id '$osd_id', not 0"
# Placed in the CRUSH map here rather than by the OSD at start-up: an OSD sends those commands before it has the
# monitor's map, and is then refused ('wrong fsid') and dies, now and then.
ceph --connect-timeout 30 osd crush add osd.0 1.0 root=default host=localhost >/dev/null 2>>"$C/log/daemons.log" || fail "the OSD could not be placed"
mkdir -p "$C/osd/osd.0"
ceph-osd -i 0 --mkfs --osd-uuid "$osd_uuid" 2>>"$C/log/osd-mkfs.log" >/dev/null || fail "the OSD could not be created"
ceph-osd -i 0 2>>"$C/log/daemons.log" || fail "the OSD did not start"
# Read whole, not piped into grep -q: with pipefail, grep leaving early would fail the pipe by SIGPIPE.
osd_up() { [[ $(ceph --connect-timeout 10 osd stat 2>/dev/null) == *"1 up"* ]]; }
for _ in $(seq 1 120); do
  osd_up && break
  sleep 0.5
done
osd_up || fail "the OSD is not up after 60 s"

radosgw -n client.rgw.a 2>>"$C/log/daemons.log" || fail "the gateway did not start"
for _ in $(seq 1 240); do
  curl -s -o /dev/null "$endpoint/" && break
  sleep 0.5
done
curl -s -o /dev/null "$endpoint/" || fail "the gateway does not answer on $endpoint after 120 s"
radosgw-admin -n client.admin user create --uid=ccfs --display-name=ccfs --access-key="$access_key" --secret-key="$secret_key" \
  >/dev/null 2>>"$C/log/daemons.log" || fail "the S3 user could not be created"

# The first PUT creates the gateway's data pools: done here, on a bucket that is removed again.
warm="$endpoint/ccfs-warmup-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
# curl signs no payload hash by itself, and the gateway needs one: UNSIGNED-PAYLOAD is what S3 allows for that.
s3() {
  curl -sf -o /dev/null --max-time 60 -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user "$access_key:$secret_key" "$@"
}
s3 -X PUT "$warm" && s3 -X PUT --data-binary warm "$warm/warm" && s3 -X DELETE "$warm/warm" && s3 -X DELETE "$warm" \
  || fail "the warm-up PUT failed"

echo "$endpoint|$access_key|$secret_key" >"$C/endpoint"
cat "$C/endpoint"
