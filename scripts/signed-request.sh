#!/usr/bin/env bash
# Signs and sends one CC-FS request with nothing but bash, od, awk, openssl and curl: auth-v2, step by step.
#
#   scripts/signed-request.sh upload   FILE.wav [VDN]           -> {"resultCode":"0",...,"resultData":{"fileName":...}}
#   scripts/signed-request.sh delete   FILE_NAME [LOCATION_ID]
#   scripts/signed-request.sh hash     FILE_NAME [LOCATION_ID]
#   scripts/signed-request.sh download PATH [MODE] > file.wav   (a JSON answer instead of a file goes to stderr, exit 1)
#
# Exit status: 0 when the answer is HTTP 200 with resultCode "0" (or, for download, the file); 1 for any other answer,
# whose X-Ccfs-Reason header is printed to stderr; 2 for bad usage; curl's own status when no answer came (7: nothing
# listens there, 28: a timeout) or a download was cut off (18, 28, 56), which then writes nothing to stdout.
#
# Environment (defaults in brackets):
#   CCFS_ENDPOINT    [https://127.0.0.1:8443]
#   CCFS_ACCESS_KEY  [ccfs-dev-ak]   CCFS_SECRET_KEY [ccfs-dev-sk-not-for-production]   (the development account)
#   CCFS_CACERT      a PEM certificate to trust, e.g. ccfs-data/tls/ccfs-selfsigned.pem; without it TLS is not checked
#   CCFS_TIMESTAMP   sign with this time instead of now (to reproduce the README's worked example)
#   CCFS_CONNECT_TIMEOUT [10]   seconds to wait for the connection
#   CCFS_MAX_TIME        [300]  seconds the whole exchange may take; a transfer stalled for 30 s is given up sooner
#   CCFS_DEBUG=1     print the canonical request, the signing key and the Authorization header to stderr
#   CCFS_DRY_RUN=1   sign and print, but do not send
set -euo pipefail
usage() { sed -n '4,7p' "$0" | sed 's/^#   //' >&2; exit 2; }
command=${1:-}
[ $# -ge 2 ] || usage
endpoint=${CCFS_ENDPOINT:-https://127.0.0.1:8443}
access_key=${CCFS_ACCESS_KEY:-ccfs-dev-ak}
secret_key=${CCFS_SECRET_KEY:-ccfs-dev-sk-not-for-production}
timestamp=${CCFS_TIMESTAMP:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
host=${endpoint#*://}
host=${host%%/*}
content_type='application/json;charset=UTF-8'
signed_headers='content-length;content-type;host'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

json_string() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }

# 1. The body, byte for byte as it will be sent.
query=
case $command in
  upload)
    query="vdnId=${3:-1}"
    path=/CCFS/resource/ccfs/ivr/uploadFile
    msg_body="{\"data\":\"$(base64 -w0 "$2")\"}" ;;
  delete|hash)
    path=/CCFS/resource/ccfs/ivr/$([ "$command" = delete ] && echo deleteFile || echo getFileHash)
    msg_body="{\"fileName\":$(json_string "$2")${3:+,\"locationId\":$(json_string "$3")}}" ;;
  download)
    path=/CCFS/resource/ccfs/ivr/downloadFile
    msg_body="{\"filePath\":$(json_string "$2")${3:+,\"mode\":$3}}" ;;
  *) usage ;;
esac
printf '{"request":{"version":"2.0"},"msgBody":%s}' "$msg_body" > "$work/body"
length=$(wc -c < "$work/body" | tr -d ' ')

# normalize (PathUtils.normalize of Huawei's demo): bytes outside A-Z a-z 0-9 - . _ ~ become %XX, upper-case hex.
normalize() {
  od -An -v -tu1 | awk '
    BEGIN { for (i = 0; i < 256; i++) { plain[i] = sprintf("%c", i); escaped[i] = sprintf("%%%02X", i) } }
    { for (f = 1; f <= NF; f++) { b = $f + 0
        if ((b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 45 || b == 46 || b == 95 || b == 126)
          printf "%s", plain[b]; else printf "%s", escaped[b] } }'
}

# HMAC-SHA256 of stdin, lower-case hex; the key is given as text and passed to openssl as hex so any byte is safe.
hmac_hex() { openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(printf %s "$1" | od -An -v -tx1 | tr -d ' \n')" | awk '{print $NF}'; }

# 2. The canonical request: method, path, the query line (only when there is a query), signed header names, one
#    line per signed header, then the normalized body, joined with LF and no trailing LF.
{
  printf 'POST\n%s\n' "$path"
  [ -n "$query" ] && printf '%s=%s\n' "${query%%=*}" "$(printf %s "${query#*=}" | normalize)"
  printf '%s\n' "$signed_headers"
  printf 'content-length:%s\n' "$length"
  printf 'content-type:%s\n' "$(printf %s "$content_type" | normalize)"
  printf 'host:%s\n' "$(printf %s "$host" | normalize)"
  normalize < "$work/body"
} > "$work/canonical"

# 3. signingKey = hex(HMAC(SK, prefix)); signature = hex(HMAC(signingKey's 64 hex characters, canonical request)).
prefix="auth-v2/$access_key/$timestamp/$signed_headers"
signing_key=$(printf %s "$prefix" | hmac_hex "$secret_key")
authorization="$prefix/$(hmac_hex "$signing_key" < "$work/canonical")"

if [ -n "${CCFS_DEBUG:-}${CCFS_DRY_RUN:-}" ]; then
  { echo "--- canonical request"; cat "$work/canonical"; echo; echo "--- signing key"; echo "$signing_key"
    echo "--- Authorization"; echo "$authorization"; } >&2
fi
[ -n "${CCFS_DRY_RUN:-}" ] && exit 0

tls=(-k)
[ -n "${CCFS_CACERT:-}" ] && tls=(--cacert "$CCFS_CACERT")
# HTTP/1.1, as CC-FS speaks it: curl 7.x over HTTP/2 mishandles an answer that comes before the whole body was sent
# (an upload over the size limit). The timeouts keep the script from ever hanging.
status=0
received=$(curl -sS --http1.1 "${tls[@]}" --connect-timeout "${CCFS_CONNECT_TIMEOUT:-10}" --max-time "${CCFS_MAX_TIME:-300}" \
  --speed-limit 1 --speed-time 30 -X POST "$endpoint$path${query:+?$query}" -D "$work/headers" -o "$work/answer" \
  -w '%{http_code} %{content_type}' -H "Content-Type: $content_type" -H "Authorization: $authorization" \
  --data-binary "@$work/body") || status=$?
http_code=${received%% *}
# A 100 Continue (or any 1xx) is no answer: the server may have died after it, leaving no final status and no body.
if [ "$status" -ne 0 ] && { [ "${http_code:-000}" = 000 ] || [[ $http_code == 1* ]] || [ ! -f "$work/answer" ]; }; then
  exit "$status"
fi
# A download cut off (a reset connection, the time limit) is a truncated file: none of it goes to stdout.
if [ "$status" -ne 0 ] && [ "$command" = download ]; then
  echo "ccfs: the download was cut off (curl exit $status, HTTP ${http_code:-000}); nothing was written" >&2
  exit "$status"
fi
touch "$work/answer"

answer_type=${received#* }
result_code=$(sed -n 's/.*"resultCode" *: *"\([^"]*\)".*/\1/p' "$work/answer" | head -n 1)
if [ "$command" = download ] && [ "$http_code" = 200 ] && [[ $answer_type != application/json* ]]; then
  cat "$work/answer"
  exit 0
elif [ "$command" = download ]; then
  cat "$work/answer" >&2; echo >&2
else
  cat "$work/answer"; echo
  [ "$http_code" = 200 ] && [ "$result_code" = 0 ] && exit 0
fi

reason=$(sed -n 's/^[Xx]-[Cc][Cc][Ff][Ss]-[Rr][Ee][Aa][Ss][Oo][Nn]: *//p' "$work/headers" | tr -d '\r' | tail -n 1)
echo "ccfs: HTTP $http_code${result_code:+, resultCode $result_code}${reason:+: $reason}" >&2
exit 1
