#!/usr/bin/env bash
# Side-by-side load: a Release ccfs server against nginx (dav PUT to disk, GET), both on 127.0.0.1, both storing on
# the same disk, both driven by wrk with the same Lua script (bench/scripts/bench-vs-nginx.lua), every response checked.
#
#   bench/scripts/bench-vs-nginx.sh            # about 5 minutes with the defaults
#   DURATION=3 WARMUP=1 bench/scripts/bench-vs-nginx.sh
#   SCENARIOS='upload-1MiB' CONNECTIONS=8 bench/scripts/bench-vs-nginx.sh
#   REPEAT=5 SCENARIOS='upload-100KB' CONNECTIONS=1 bench/scripts/bench-vs-nginx.sh
#
# For uploadFile of 100 KB, 1 MiB and 5 MiB A-law WAVs (nginx: PUT of the same bytes to a new path each time), and for
# getFileHash and downloadFile of a 1 MiB file (nginx: GET of that file), at 1 and 8 connections, it prints a markdown
# table of throughput, p50/p99 latency, server CPU per request and peak RSS, each with the ccfs/nginx ratio, and
# writes it with the raw figures (TSV) to RESULTS_DIR. It exits 1 if any request failed (a non-2xx status, a
# resultCode other than "0", a wrong hash or length, a socket error or a timeout), in warm-up or measured runs.
#
# Environment (defaults in brackets):
#   DURATION     [10]  seconds of each measured run          WARMUP  [3]  seconds of the warm-up run before it
#   CONNECTIONS  [1 8] connection counts                     SCENARIOS    an extended regex on scenario names
#                                                                         (upload-100KB, upload-1MiB, upload-5MiB,
#                                                                         hash-1MiB, download-1MiB) [all]
#   BENCH_DIR    [/tmp] where the temporary folder (both servers' files) goes: the disk being compared
#   RESULTS_DIR  [artifacts/bench-vs-nginx]                  WRK_TIMEOUT [60s]
#   CCFS_PORT    [5085]  NGINX_PORT [5086]                   NO_BUILD=1   use the Release build already there
#   REPEAT       [1]   runs of each pair (nginx, then ccfs); the tables show each figure's median over them, and a
#                      third table the lowest and highest ratio of the single pairs, since a shared VM's noise moves
#                      one run's figures by more than the differences being measured
#   Other Ccfs__* variables reach the server (e.g. Ccfs__Limits__MaxConcurrentUploads=8).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

duration=${DURATION:-10}
warmup=${WARMUP:-3}
connections=${CONNECTIONS:-1 8}
scenario_filter=${SCENARIOS:-.}
results_dir=${RESULTS_DIR:-artifacts/bench-vs-nginx}
wrk_timeout=${WRK_TIMEOUT:-60s}
repeat=${REPEAT:-1}
ccfs_port=${CCFS_PORT:-5085}
nginx_port=${NGINX_PORT:-5086}
command_line="DURATION=$duration WARMUP=$warmup bench/scripts/bench-vs-nginx.sh"
[[ $connections == "1 8" ]] || command_line="CONNECTIONS='$connections' $command_line"
[[ $repeat == 1 ]] || command_line="REPEAT=$repeat $command_line"
[[ $scenario_filter == . ]] || command_line="SCENARIOS='$scenario_filter' $command_line"
server_overrides=$(env | grep '^Ccfs__' | grep -iv key | sort | tr '\n' ' ' || true)
command_line="$server_overrides$command_line"

# A signed request stays valid for the server's clock-skew window (15 minutes); each scenario is signed just before
# its warm-up, so warm-up and measured run must fit in it together.
if ! [[ $duration =~ ^[0-9]+$ && $warmup =~ ^[0-9]+$ ]] || ((duration < 1 || duration + warmup > 840)); then
  echo "DURATION and WARMUP are whole seconds, DURATION >= 1, together at most 840 (the 15-minute signature window)" >&2
  exit 2
fi
if ! [[ $repeat =~ ^[1-9][0-9]*$ ]]; then
  echo "REPEAT='$repeat' is not a count of runs (1 or more)" >&2
  exit 2
fi

# kind, name, file size
scenarios=()
for entry in "upload upload-100KB 100KB" "upload upload-1MiB 1MiB" "upload upload-5MiB 5MiB" "hash hash-1MiB 1MiB" \
  "download download-1MiB 1MiB"; do
  read -r _ name _ <<<"$entry"
  [[ $name =~ $scenario_filter ]] && scenarios+=("$entry")
done
if ((${#scenarios[@]} == 0)) || ! [[ $connections =~ ^[[:space:]]*[1-9][0-9]*([[:space:]]+[1-9][0-9]*)*[[:space:]]*$ ]]; then
  echo "SCENARIOS='$scenario_filter' matches no scenario, or CONNECTIONS='$connections' is not a list of counts" >&2
  exit 2
fi

missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  echo "installing ${missing[*]}" >&2
  sudo=(); ((EUID == 0)) || sudo=(sudo)
  # A fresh machine has no package lists yet: without them apt cannot locate nginx-light or wrk.
  "${sudo[@]}" apt-get update -qq >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$ccfs_port" "$nginx_port"; do
  if port_taken "$port"; then
    echo "127.0.0.1:$port is already in use; choose CCFS_PORT and NGINX_PORT" >&2
    exit 2
  fi
done

work=$(mktemp -d "${BENCH_DIR:-/tmp}/ccfs-bench.XXXXXX")
ccfs_pid=
nginx_pid=
wrk_pid=
stop() {
  local pid
  for pid in "$wrk_pid" "$ccfs_pid" "$nginx_pid"; do
    [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
  done
  # Wait for each to exit, bounded (nginx's master stops its workers first), then make sure.
  for pid in "$wrk_pid" "$ccfs_pid" "$nginx_pid"; do
    [[ -n $pid ]] || continue
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  done
  wrk_pid= ccfs_pid= nginx_pid=
  rm -rf "$work"
}
trap stop EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

# ---- the servers -------------------------------------------------------------------------------------------------
if [[ -z ${NO_BUILD:-} ]]; then
  echo "building Release" >&2
  dotnet build -c Release -v q -nologo src/Ccfs.Server >/dev/null
  dotnet build -c Release -v q -nologo src/Ccfs.Cli >/dev/null
fi
server_dll=$repo/src/Ccfs.Server/bin/Release/net10.0/Ccfs.Server.dll
cli_dll=$repo/src/Ccfs.Cli/bin/Release/net10.0/ccfs.dll

access_key=bench-ak
secret_key=$(head -c 24 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
vdn=1
ccfs_url=http://127.0.0.1:$ccfs_port
Ccfs__DataDir=$work/ccfs-data \
  Ccfs__Accounts__0__AccessKey=$access_key Ccfs__Accounts__0__SecretKey=$secret_key Ccfs__Accounts__0__VdnIds__0=$vdn \
  Ccfs__Limits__Download__PermitLimit=100000000 Ccfs__Limits__Hash__PermitLimit=100000000 \
  Ccfs__Auth__IpLock__MaxFailures=100000000 \
  dotnet "$server_dll" --urls "$ccfs_url" >"$work/ccfs.log" 2>&1 &
ccfs_pid=$!

mkdir -p "$work/nginx/dav" "$work/nginx/tmp"
nginx_user=
((EUID == 0)) && nginx_user="user $(id -un) $(id -gn);"   # as root, workers would otherwise run as nobody
cat >"$work/nginx/nginx.conf" <<CONF
$nginx_user
daemon off;
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000000;
  client_body_temp_path $work/nginx/tmp;
  client_max_body_size 64m;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { root $work/nginx/dav; dav_methods PUT; create_full_put_path on; }
  }
}
CONF
nginx -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
nginx_url=http://127.0.0.1:$nginx_port

for _ in $(seq 1 300); do
  curl -sf -o /dev/null "$ccfs_url/healthz" && break
  kill -0 "$ccfs_pid" 2>/dev/null || { echo "the ccfs server stopped:" >&2; tail -20 "$work/ccfs.log" >&2; exit 1; }
  sleep 0.1
done
curl -sf -o /dev/null "$ccfs_url/healthz" || { echo "the ccfs server did not answer /healthz" >&2; exit 1; }
for _ in $(seq 1 50); do curl -s -o /dev/null "$nginx_url/" && break; sleep 0.1; done
curl -s -o /dev/null "$nginx_url/" || { echo "nginx did not start:" >&2; cat "$work/nginx/error.log" >&2; exit 1; }

nginx_workers() { ps -o pid= --ppid "$nginx_pid" | tr -d ' '; }

# ---- request bodies ------------------------------------------------------------------------------------------------
# shellcheck disable=SC2059 # the inner printf writes the escapes the outer one turns into bytes
le32() { printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"; }

# A valid G.711 A-law WAV (8 kHz, mono) of exactly $1 bytes: the 44-byte RIFF header, then random samples.
make_wav() {
  local size=$1 out=$2
  {
    printf 'RIFF'; le32 $((size - 8)); printf 'WAVEfmt '; le32 16
    printf '\x06\x00\x01\x00'; le32 8000; le32 8000; printf '\x01\x00\x08\x00'
    printf 'data'; le32 $((size - 44))
    head -c $((size - 44)) /dev/urandom
  } >"$out"
}

upload_path=/CCFS/resource/ccfs/ivr/uploadFile
hash_path=/CCFS/resource/ccfs/ivr/getFileHash
download_path=/CCFS/resource/ccfs/ivr/downloadFile
content_type='application/json; charset=UTF-8'   # as the SDK sends it and `ccfs sign` signs it

upload_body() { { printf '{"request":{"version":"2.0"},"msgBody":{"data":"'; base64 -w0 "$1"; printf '"}}'; } >"$2"; }

# The Authorization header of a POST to path $1 (query $2) with body file $3, signed now by `ccfs sign`.
sign() {
  local query=()
  [[ -n $2 ]] && query=(--query "$2")
  CCFS_SECRET_KEY=$secret_key dotnet "$cli_dll" sign --endpoint "$ccfs_url" --access-key "$access_key" \
    --path "$1" "${query[@]}" --body-file "$3" | sed -n 's/^Authorization: //p'
}

declare -A wav_bytes=([100KB]=102400 [1MiB]=1048576 [5MiB]=5242880)
for size in 100KB 1MiB 5MiB; do
  make_wav "${wav_bytes[$size]}" "$work/$size.wav"
  upload_body "$work/$size.wav" "$work/$size.upload.json"
done

# The file that getFileHash, downloadFile and nginx's GET read: the same 1 MiB WAV, stored once by each server.
fixture_auth=$(sign "$upload_path" "vdnId=$vdn" "$work/1MiB.upload.json")
fixture_answer=$(curl -sS -X POST "$ccfs_url$upload_path?vdnId=$vdn" -H "Content-Type: $content_type" \
  -H "Authorization: $fixture_auth" --data-binary "@$work/1MiB.upload.json")
fixture=$(printf '%s' "$fixture_answer" | sed -n 's/.*"fileName":"\([^"]*\)".*/\1/p')
if [[ -z $fixture ]]; then
  echo "storing the 1 MiB file in ccfs failed: $fixture_answer" >&2
  exit 1
fi
curl -sSf -o /dev/null -T "$work/1MiB.wav" "$nginx_url/fixture.wav"
fixture_sha256=$(sha256sum "$work/1MiB.wav" | cut -d' ' -f1)
printf '{"request":{"version":"2.0"},"msgBody":{"fileName":"%s"}}' "$fixture" >"$work/hash.json"
printf '{"request":{"version":"2.0"},"msgBody":{"filePath":"%s"}}' "$fixture" >"$work/download.json"

# ---- measuring -----------------------------------------------------------------------------------------------------
clock_ticks=$(getconf CLK_TCK)

# utime + stime, in clock ticks, of the given processes (all their threads).
cpu_ticks() {
  local total=0 pid ticks
  for pid in "$@"; do
    ticks=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat")
    total=$((total + ticks))
  done
  echo "$total"
}

# Resets the peak resident set size (VmHWM) of the given processes, so the next reading is this run's peak.
hwm_reset() { local pid; for pid in "$@"; do echo 5 >"/proc/$pid/clear_refs"; done; }
hwm_kib() { local pid; for pid in "$@"; do awk '/^VmHWM/ { print $2 }' "/proc/$pid/status"; done | awk '{ s += $1 } END { print s + 0 }'; }

# Runs wrk once. $1 server, $2 scenario name, $3 connections, $4 seconds, $5 output file; the request is described
# by the BENCH_* variables exported by the caller.
run_wrk() {
  local url threads=$(($3 < $(nproc) ? $3 : $(nproc)))
  url=$([[ $1 == ccfs ]] && echo "$ccfs_url" || echo "$nginx_url")
  : >"$5"
  BENCH_OUT=$5 wrk --latency -t "$threads" -c "$3" -d "${4}s" --timeout "$wrk_timeout" -s "$repo/bench/scripts/bench-vs-nginx.lua" \
    "$url" >"$5.wrk" 2>&1 &
  wrk_pid=$!
  wait "$wrk_pid" || { echo "wrk failed for $1 $2:" >&2; cat "$5.wrk" >&2; exit 1; }
  wrk_pid=
  [[ -s $5 ]] || { echo "wrk gave no results for $1 $2:" >&2; cat "$5.wrk" >&2; exit 1; }
}

# Sets BENCH_* for one server and scenario; $3 tells warm-up and measured runs apart, so PUTs never overwrite.
describe_request() {
  local server=$1 kind=$2 phase=$3 size=$4 auth
  export BENCH_NEW_PATH=0 BENCH_BODY_FILE= BENCH_HEADERS= BENCH_CHECK=status
  if [[ $server == nginx ]]; then
    case $kind in
      upload) export BENCH_METHOD=PUT BENCH_PATH=/p/$phase/ BENCH_NEW_PATH=1 BENCH_BODY_FILE=$work/$size.wav ;;
      *) export BENCH_METHOD=GET BENCH_PATH=/fixture.wav BENCH_CHECK=bytes:${wav_bytes[1MiB]} ;;
    esac
    return
  fi
  case $kind in
    upload)
      export BENCH_PATH="$upload_path?vdnId=$vdn" BENCH_BODY_FILE=$work/$size.upload.json BENCH_CHECK=result0
      auth=$(sign "$upload_path" "vdnId=$vdn" "$BENCH_BODY_FILE") ;;
    hash)
      export BENCH_PATH=$hash_path BENCH_BODY_FILE=$work/hash.json BENCH_CHECK=result0:$fixture_sha256
      auth=$(sign "$hash_path" "" "$BENCH_BODY_FILE") ;;
    download)
      export BENCH_PATH=$download_path BENCH_BODY_FILE=$work/download.json BENCH_CHECK=bytes:${wav_bytes[1MiB]}
      auth=$(sign "$download_path" "" "$BENCH_BODY_FILE") ;;
  esac
  [[ -n $auth ]] || { echo "ccfs sign gave no Authorization header" >&2; exit 1; }
  export BENCH_METHOD=POST BENCH_HEADERS=$'Content-Type: '"$content_type"$'\r\nAuthorization: '"$auth"$'\r\n'
}

# Counts the files an upload scenario stored (warm-up and measured run; remove_uploads ran before it) and compares one
# of them with the WAV sent, so an acknowledged upload that stored nothing, or something else, is caught.
check_stored() {
  local server=$1 size=$2 acknowledged=$3 folder files
  folder=$([[ $server == ccfs ]] && echo "$work/ccfs-data" || echo "$work/nginx/dav/p")
  mapfile -t files < <(find "$folder" -type f -name '*.wav' ! -name "${fixture##*/}")
  if ((${#files[@]} < acknowledged)); then
    echo "$acknowledged uploads acknowledged, ${#files[@]} files on disk"
  elif ((${#files[@]} > 0)) && ! cmp -s "${files[0]}" "$work/$size.wav"; then
    echo "${files[0]} differs from the WAV sent"
  fi
}

# Removes what the upload runs stored, so long runs do not fill the disk: nginx's PUT folder, and ccfs's uploaded
# files except the fixture (their catalog rows stay; no later run reads them).
remove_uploads() {
  rm -rf "$work/nginx/dav/p"
  find "$work/ccfs-data" -type f -name '*.wav' ! -name "${fixture##*/}" -delete
}

tsv=$work/results.tsv
printf 'server\tscenario\tconnections\tfile_bytes\tgood_requests\tseconds\treq_per_s\tfile_MB_per_s\tp50_ms\tp99_ms\tmax_ms\tcpu_ms_per_req\tpeak_rss_MiB\tfailures\tfirst_failure\trun\n' >"$tsv"
failed_runs=()

measure() {
  local server=$1 kind=$2 size=$3 conns=$4 name=$5 pids
  describe_request "$server" "$kind" "$name-c$conns-warmup" "$size"
  sync -f "$work"
  run_wrk "$server" "$name" "$conns" "$warmup" "$work/warmup.out"
  local warm_failures
  warm_failures=$(awk -F'\t' '{ print $4 + $5 + $6 + $7 + $9 + ($1 - $3 > 0 ? $1 - $3 : 0) }' "$work/warmup.out")
  ((warm_failures == 0)) || failed_runs+=("$server $name c$conns warm-up: $(cut -f13 "$work/warmup.out")")

  [[ $kind == upload ]] && export BENCH_PATH=${BENCH_PATH/-warmup\//-run\/}
  sync -f "$work"
  if [[ $server == ccfs ]]; then pids=("$ccfs_pid"); else mapfile -t pids < <(echo "$nginx_pid"; nginx_workers); fi
  local rss_pids=("${pids[@]}")
  [[ $server == nginx ]] && rss_pids=("${pids[@]:1}")   # nginx's workers; the master only supervises
  hwm_reset "${rss_pids[@]}"
  local before after
  before=$(cpu_ticks "${pids[@]}")
  run_wrk "$server" "$name" "$conns" "$duration" "$work/run.out"
  after=$(cpu_ticks "${pids[@]}")
  local rss
  rss=$(hwm_kib "${rss_pids[@]}")
  if [[ $kind == upload ]]; then
    local acknowledged problem
    acknowledged=$(($(cut -f3 "$work/warmup.out") - $(cut -f4 "$work/warmup.out") + $(cut -f3 "$work/run.out") - $(cut -f4 "$work/run.out")))
    problem=$(check_stored "$server" "$size" "$acknowledged")
    [[ -z $problem ]] || failed_runs+=("$server $name c$conns: $problem")
  fi

  # wrk's fields: requests, duration µs, responses, failures, connect, read, write, status, timeout, p50, p99, max, first
  # failure. Throughput and CPU per request count good responses only: a refused upload is not throughput.
  awk -F'\t' -v OFS='\t' -v server="$server" -v name="$name" -v c="$conns" -v bytes="${wav_bytes[$size]}" \
    -v ticks=$((after - before)) -v hz="$clock_ticks" -v rss="$rss" -v run="$run" '{
      failures = $4 + $5 + $6 + $7 + $9 + ($1 - $3 > 0 ? $1 - $3 : 0)
      good = $3 - $4
      seconds = $2 / 1e6
      print server, name, c, bytes, good, sprintf("%.2f", seconds), sprintf("%.1f", good / seconds),
        sprintf("%.1f", good * bytes / seconds / 1e6), sprintf("%.2f", $10 / 1000), sprintf("%.2f", $11 / 1000),
        sprintf("%.2f", $12 / 1000), (good > 0 ? sprintf("%.3f", ticks * 1000 / hz / good) : "-"),
        sprintf("%.1f", rss / 1024), failures, $13, run
    }' "$work/run.out" >>"$tsv"
  local last
  last=$(tail -1 "$tsv")
  [[ $(cut -f14 <<<"$last") == 0 ]] || failed_runs+=("$server $name c$conns: $(cut -f15 <<<"$last")")
  [[ $(cut -f5 <<<"$last") -gt 0 ]] || failed_runs+=("$server $name c$conns: no request completed")
  printf '%-6s %-13s c=%-2s %8s req/s  p50 %8s ms  p99 %8s ms  CPU %7s ms/req  RSS %7s MiB  failures %s\n' \
    "$server" "$name" "$conns" "$(cut -f7 <<<"$last")" "$(cut -f9 <<<"$last")" "$(cut -f10 <<<"$last")" \
    "$(cut -f12 <<<"$last")" "$(cut -f13 <<<"$last")" "$(cut -f14 <<<"$last")" >&2
  [[ $kind == upload ]] && remove_uploads
  return 0
}

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for run in $(seq 1 "$repeat"); do
  for entry in "${scenarios[@]}"; do
    read -r kind name size <<<"$entry"
    for conns in $connections; do
      measure nginx "$kind" "$size" "$conns" "$name"
      measure ccfs "$kind" "$size" "$conns" "$name"
    done
  done
done

# One row per server, scenario and connection count: each figure's median over the runs (for an even count, the mean of
# the middle two), failures summed. mawk has no sort, hence the insertion sort.
medians=$work/medians.tsv
awk -F'\t' -v OFS='\t' '
  function median(key, col,   n, i, j, v, a, x, y, d) {
    n = count[key]
    for (i = 1; i <= n; i++) {
      v = value[key, i, col]
      for (j = i - 1; j >= 1 && (a[j] == "-" || (v != "-" && a[j] + 0 > v + 0)); j--) a[j + 1] = a[j]
      a[j + 1] = v
    }
    if (n % 2) return a[(n + 1) / 2]
    x = a[n / 2]; y = a[n / 2 + 1]
    if (x == "-" || y == "-") return x
    d = index(x, ".") ? length(x) - index(x, ".") : 0
    return sprintf("%." d "f", (x + y) / 2)
  }
  NR == 1 { $16 = "runs"; print; next }
  {
    key = $1 SUBSEP $2 SUBSEP $3
    if (!(key in count)) order[++groups] = key
    n = ++count[key]
    for (c = 1; c <= NF; c++) value[key, n, c] = $c
    failures[key] += $14
    if (first[key] == "" && $15 != "") first[key] = $15
  }
  END {
    for (g = 1; g <= groups; g++) {
      key = order[g]
      line = value[key, 1, 1] OFS value[key, 1, 2] OFS value[key, 1, 3] OFS value[key, 1, 4]
      for (c = 5; c <= 13; c++) line = line OFS median(key, c)
      print line, failures[key], first[key], count[key]
    }
  }' "$tsv" >"$medians"

# The servers' own background work, for scale: CPU per second of each, idle after the runs, over the same 3 seconds.
idle_before_ccfs=$(cpu_ticks "$ccfs_pid")
mapfile -t idle_nginx_pids < <(echo "$nginx_pid"; nginx_workers)
idle_before_nginx=$(cpu_ticks "${idle_nginx_pids[@]}")
sleep 3
idle_ccfs=$(((($(cpu_ticks "$ccfs_pid") - idle_before_ccfs) * 1000 / clock_ticks + 1) / 3))
idle_nginx=$(((($(cpu_ticks "${idle_nginx_pids[@]}") - idle_before_nginx) * 1000 / clock_ticks + 1) / 3))

# ---- the report ----------------------------------------------------------------------------------------------------
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
filesystem=$(df -PT "$work" | awk 'NR == 2 { print $2 " on " $1 }')
dotnet_version=$(dotnet --list-runtimes | awk '/^Microsoft.NETCore.App/ { v = $2 } END { print v }')
nginx_version=$(nginx -v 2>&1 | sed 's/.*nginx\///')
wrk_version=$( (wrk -v 2>&1 || true) | awk 'NR == 1 { print $2 }')
commit=$(git describe --always --dirty 2>/dev/null || echo unknown)

# Pairs each ccfs row of the TSV with nginx's for the same scenario and connections, and prints the columns named
# in `columns` (TSV field numbers), each nginx then ccfs, with the ratio after those marked in `ratios`.
table_rows() {
  awk -F'\t' -v columns="$1" -v ratios="$2" '
    function label(n) {
      if (n ~ /^upload/) { sub(/^upload-/, "", n); sub(/KB$/, " KB", n); sub(/MiB$/, " MiB", n); return "uploadFile " n " ↔ PUT" }
      return (n ~ /^hash/ ? "getFileHash" : "downloadFile") " 1 MiB ↔ GET"
    }
    BEGIN { n = split(columns, column, " "); split(ratios, r, " "); for (i in r) ratio[r[i]] = 1 }
    NR > 1 && $1 == "nginx" { for (i = 1; i <= NF; i++) nginx[$2, $3, i] = $i }
    NR > 1 && $1 == "ccfs" {
      line = "| " label($2) " | " $3 " |"
      for (i = 1; i <= n; i++) {
        c = column[i]; a = nginx[$2, $3, c]; b = $c
        line = line " " a " | " b " |"
        if (c in ratio) line = line " **" (a > 0 && a != "-" && b != "-" ? sprintf("%.2f×", b / a) : "-") "** |"
      }
      print line
    }' "$medians"
}

# For REPEAT > 1: the lowest and highest ccfs/nginx ratio of the single runs, for the columns in $1 (TSV field numbers).
ratio_spread() {
  awk -F'\t' -v columns="$1" '
    function label(n) {
      if (n ~ /^upload/) { sub(/^upload-/, "", n); sub(/KB$/, " KB", n); sub(/MiB$/, " MiB", n); return "uploadFile " n " ↔ PUT" }
      return (n ~ /^hash/ ? "getFileHash" : "downloadFile") " 1 MiB ↔ GET"
    }
    BEGIN { n = split(columns, column, " ") }
    NR > 1 && $1 == "nginx" { for (i = 1; i <= NF; i++) nginx[$2, $3, $16, i] = $i }
    NR > 1 && $1 == "ccfs" {
      key = $2 SUBSEP $3
      if (!(key in seen)) { seen[key] = 1; order[++groups] = key; name[key] = $2; conns[key] = $3 }
      for (i = 1; i <= n; i++) {
        c = column[i]; a = nginx[$2, $3, $16, c]
        if (a == "" || a == "-" || a <= 0 || $c == "-") continue
        r = $c / a
        if (!((key, c) in low) || r < low[key, c]) low[key, c] = r
        if (!((key, c) in high) || r > high[key, c]) high[key, c] = r
      }
    }
    END {
      for (g = 1; g <= groups; g++) {
        key = order[g]; line = "| " label(name[key]) " | " conns[key] " |"
        for (i = 1; i <= n; i++) {
          c = column[i]
          line = line " " ((key, c) in low ? sprintf("%.2f–%.2f×", low[key, c], high[key, c]) : "-") " |"
        }
        print line
      }
    }' "$tsv"
}

report=$work/report.md
{
  echo "### Side by side with nginx ($(date -u +%Y-%m-%d))"
  echo
  echo '```bash'
  echo "$command_line"
  echo '```'
  echo
  echo "ccfs $commit (Release, .NET $dotnet_version, SQLite + disk defaults) against nginx $nginx_version (\`dav_methods PUT\`,"
  echo "2 workers, bodies written to disk), both on 127.0.0.1 with their files on $filesystem; load from wrk $wrk_version,"
  echo "${duration} s per run after a ${warmup} s warm-up, $repeat run(s) of each pair (figures are medians), started $started. Idle after the runs: ccfs $idle_ccfs,"
  echo "nginx $idle_nginx ms of CPU per second."
  echo "Machine: $cpu_model, $(nproc) cores, kernel $(uname -r). **The load generator and both servers share these cores:"
  if ((repeat > 1)); then
    echo "compare ratios from the same invocation only, never absolute figures across invocations.** Each ratio divides the"
    echo "medians over the $repeat runs; the last table shows how far single runs spread. Ratio = ccfs ÷ nginx (above 1 is"
  else
    echo "compare ratios from the same run only, never absolute figures across runs.** Ratio = ccfs ÷ nginx (above 1 is"
  fi
  echo "better for throughput, worse for latency, CPU and memory). Every response was checked (2xx, resultCode \"0\", the"
  echo "hash, the length) and every upload's file counted on disk; no request failed."
  echo
  echo "| load | conns | nginx req/s | ccfs req/s | ratio | nginx MB/s | ccfs MB/s | nginx p50 ms | ccfs p50 ms | ratio | nginx p99 ms | ccfs p99 ms | ratio |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  table_rows "7 8 9 10" "7 9 10"
  echo
  echo "| load | conns | nginx CPU ms/req | ccfs CPU ms/req | ratio | nginx peak RSS MiB | ccfs peak RSS MiB | ratio |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  table_rows "12 13" "12 13"
  if ((repeat > 1)); then
    echo
    echo "Lowest and highest ratio of the $repeat single runs (each ccfs run against the nginx run just before it):"
    echo
    echo "| load | conns | req/s | p50 ms | p99 ms | CPU ms/req |"
    echo "|---|---:|---:|---:|---:|---:|"
    ratio_spread "7 9 10 12"
  fi
} >"$report"

if ((${#failed_runs[@]})); then
  sed -i 's/; no request failed\./; SOME REQUESTS FAILED (see below)./' "$report"
  { echo; echo "Failed runs:"; printf -- '- %s\n' "${failed_runs[@]}"; } >>"$report"
fi

mkdir -p "$results_dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
cp "$tsv" "$results_dir/$stamp.tsv"
cp "$report" "$results_dir/$stamp.md"
echo
cat "$report"
echo
echo "raw results: $results_dir/$stamp.tsv, report: $results_dir/$stamp.md" >&2
if ((${#failed_runs[@]})); then
  echo "FAILED: ${#failed_runs[@]} run(s) had failed requests" >&2
  exit 1
fi
