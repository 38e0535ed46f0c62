// auth-v2 in the browser, byte for byte as spec §2.5–2.7 and Ccfs.Protocol's AuthV2Signer: raw path, the decoded
// query normalised and sorted, the signed headers, then the body percent-encoded byte by byte. Two HMAC-SHA256 with
// WebCrypto; the second one's key is the 64 ASCII characters of the first one's hex.

const encoder = new TextEncoder();
const HEX = encoder.encode('0123456789ABCDEF');
const UNRESERVED = new Uint8Array(256);
for (const c of encoder.encode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~')) {
  UNRESERVED[c] = 1;
}

/** Ordinal order of UTF-16 code units, as C#'s StringComparer.Ordinal and Java's TreeSet of strings. */
export const ordinal = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Percent-encodes bytes: every byte outside A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex). */
export function normalizeBytes(bytes) {
  let escapes = 0;
  for (const b of bytes) {
    if (!UNRESERVED[b]) escapes++;
  }
  const out = new Uint8Array(bytes.length + 2 * escapes);
  let w = 0;
  for (const b of bytes) {
    if (UNRESERVED[b]) {
      out[w++] = b;
    } else {
      out[w++] = 0x25;
      out[w++] = HEX[b >> 4];
      out[w++] = HEX[b & 15];
    }
  }
  return out;
}

/** The spec's normalize() of a string: its UTF-8 bytes, percent-encoded. */
export function normalize(text) {
  return String.fromCharCode(...normalizeBytes(encoder.encode(text)));
}

/** Query parameters as [key, value] pairs, from pairs or a plain object. */
function pairs(query) {
  if (!query) return [];
  return Array.isArray(query) ? query : Object.entries(query);
}

/** The signedHeaders field: names sorted as given, then lower-cased, joined with ';'. */
export function signedHeaderList(headers) {
  return headers.map(([name]) => name).sort(ordinal).map((name) => name.toLowerCase()).join(';');
}

/** Everything of the canonical request before the body, ending with LF. */
export function canonicalHead(method, path, query, headers) {
  const lines = [method, path];
  const q = pairs(query);
  if (q.length > 0) {
    lines.push(q.map(([k, v]) => normalize(k) + '=' + (v === '' ? '' : normalize(v))).sort(ordinal).join('&'));
  }
  lines.push(signedHeaderList(headers));
  lines.push(headers.map(([k, v]) => normalize(k.toLowerCase()) + ':' + normalize(v)).sort(ordinal).join('\n'));
  return lines.join('\n') + '\n';
}

async function hmacHex(key, message) {
  const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, message));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Signs a request. headers: [name, exact value] pairs (host at least); query: decoded [key, value] pairs or an
 * object; body: a string, a Uint8Array or nothing. Returns the Authorization value, the signing key and the
 * canonical request as bytes.
 */
export async function sign({ accessKey, secretKey, timestamp, method, path, query, headers, body }) {
  if (!globalThis.crypto?.subtle) {
    throw new Error('this page needs a secure context (HTTPS, or http://127.0.0.1) for WebCrypto signatures');
  }
  const prefix = `auth-v2/${accessKey}/${timestamp}/${signedHeaderList(headers)}`;
  const signingKey = await hmacHex(encoder.encode(secretKey), encoder.encode(prefix));
  const head = encoder.encode(canonicalHead(method, path, query, headers));
  const bytes = body == null ? new Uint8Array(0) : typeof body === 'string' ? encoder.encode(body) : body;
  const encodedBody = normalizeBytes(bytes);
  const canonicalRequest = new Uint8Array(head.length + encodedBody.length);
  canonicalRequest.set(head);
  canonicalRequest.set(encodedBody, head.length);
  const signature = await hmacHex(encoder.encode(signingKey), canonicalRequest);
  return { authorization: `${prefix}/${signature}`, signingKey, canonicalRequest };
}
