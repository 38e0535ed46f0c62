// Signed calls to /admin/api with the credentials kept in sessionStorage (gone when the tab closes).
import { sign } from './signer.js';

const STORAGE_KEY = 'ccfs-admin-credentials';
const encoder = new TextEncoder();

export function credentials() {
  const text = sessionStorage.getItem(STORAGE_KEY);
  return text ? JSON.parse(text) : null;
}

export function remember(accessKey, secretKey) {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ accessKey, secretKey }));
}

export function forget() {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** A refusal from the server: the HTTP status, its explanation and, for invalid parameters, each problem. */
export class ApiError extends Error {
  constructor(status, message, problems = []) {
    super(message);
    this.status = status;
    this.problems = problems;
  }

  static async from(response) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      // not JSON: the status speaks
    }
    const reason = response.headers.get('X-Ccfs-Reason');
    const message = body?.error && body?.status === undefined ? body.error : reason || body?.error || response.statusText;
    return new ApiError(response.status, message, body?.problems ?? []);
  }
}

/**
 * One signed request. query: [key, value] pairs (values as they are, the URL encodes them); body: a string, a
 * Uint8Array or nothing. Only host is signed: browsers set Content-Length themselves.
 */
export async function call(method, path, { query = [], body = null, contentType = null, as = credentials() } = {}) {
  if (!as) throw new ApiError(401, 'not signed in');
  const params = query.filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, String(v)]);
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  const { authorization } = await sign({
    accessKey: as.accessKey,
    secretKey: as.secretKey,
    timestamp: new Date().toISOString(),
    method,
    path,
    query: params,
    headers: [['host', location.host]],
    body: bytes,
  });
  const search = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const headers = { Authorization: authorization };
  if (contentType) headers['Content-Type'] = contentType;
  const response = await fetch(search ? `${path}?${search}` : path, {
    method,
    headers,
    body: bytes,
    cache: 'no-store',
    credentials: 'omit',
  });
  if (!response.ok) throw await ApiError.from(response);
  return response;
}

export async function json(method, path, options = {}) {
  return (await call(method, path, options)).json();
}

export function sendJson(method, path, value, options = {}) {
  return json(method, path, { ...options, body: JSON.stringify(value), contentType: 'application/json' });
}
