#!/usr/bin/env bash
# Signs and sends one CC-FS uploadFile request with nothing but bash, od, awk, openssl and curl: auth-v2, step by step.
#
#   scripts/signed-upload.sh FILE.wav [VDN]
#
# Environment (defaults in brackets):
#   CCFS_ENDPOINT    [https://127.0.0.1:8443]
#   CCFS_ACCESS_KEY  [ccfs-dev-ak]   CCFS_SECRET_KEY [ccfs-dev-sk-not-for-production]   (the development account)
#   CCFS_CACERT      a PEM certificate to trust, e.g. ccfs-data/tls/ccfs-selfsigned.pem; without it TLS is not checked
#   CCFS_TIMESTAMP   sign with this time instead of now (to reproduce the README's worked example)
#   CCFS_DEBUG=1     print the canonical request, the signing key and the Authorization header to stderr
#   CCFS_DRY_RUN=1   sign and print, but do not send
set -euo pipefail
file=${1:?usage: signed-upload.sh FILE.wav [VDN]}
vdn=${2:-1}
endpoint=${CCFS_ENDPOINT:-https://127.0.0.1:8443}
access_key=${CCFS_ACCESS_KEY:-ccfs-dev-ak}
secret_key=${CCFS_SECRET_KEY:-ccfs-dev-sk-not-for-production}
timestamp=${CCFS_TIMESTAMP:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
host=${endpoint#*://}
host=${host%%/*}
path=/CCFS/resource/ccfs/ivr/uploadFile
content_type='application/json;charset=UTF-8'
signed_headers='content-length;content-type;host'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

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

# 1. The body, byte for byte as it will be sent.
printf '{"request":{"version":"2.0"},"msgBody":{"data":"%s"}}' "$(base64 -w0 "$file")" > "$work/body"
length=$(wc -c < "$work/body" | tr -d ' ')

# 2. The canonical request: method, path, query, signed header names, one line per signed header, then the
#    normalized body, joined with LF and no trailing LF.
{
  printf 'POST\n%s\nvdnId=%s\n%s\n' "$path" "$(printf %s "$vdn" | normalize)" "$signed_headers"
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
curl -sS "${tls[@]}" -X POST "$endpoint$path?vdnId=$vdn" \
  -H "Content-Type: $content_type" -H "Authorization: $authorization" --data-binary "@$work/body" -w '\n'
