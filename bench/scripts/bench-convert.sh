#!/usr/bin/env bash
# Converts 10 minutes of 44.1 kHz stereo 16-bit audio to an 8 kHz mono A-law prompt with sox and with `ccfs convert`
# (Release build, process start included), three times each, and prints the best times and their ratio.
# Usage: bench/scripts/bench-convert.sh [seconds of audio]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-600}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v sox >/dev/null || { echo "needs sox: apt-get install sox" >&2; exit 2; }
dotnet build -c Release -v q -nologo src/Ccfs.Cli >/dev/null
sox -n -r 44100 -c 2 -b 16 "$work/in.wav" synth "$seconds" pluck C3 pluck E3 synth "$seconds" sine mix 660 remix 1,2 2,1 gain -3

best() {
  local best=999999
  for _ in 1 2 3; do
    local start end ms
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    ms=$(((end - start) / 1000000))
    [ "$ms" -lt "$best" ] && best=$ms
  done
  echo "$best"
}

sox_ms=$(best sox "$work/in.wav" -r 8000 -c 1 -e a-law "$work/sox.wav")
ccfs_ms=$(best dotnet src/Ccfs.Cli/bin/Release/net10.0/ccfs.dll convert "$work/in.wav" "$work/ccfs.wav")
echo "$seconds s of 44.1 kHz stereo -> 8 kHz mono A-law: sox ${sox_ms} ms, ccfs convert ${ccfs_ms} ms," \
  "ratio ccfs/sox $(awk "BEGIN { printf \"%.2f\", $ccfs_ms / $sox_ms }")"
