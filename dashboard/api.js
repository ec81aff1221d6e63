// The daemon's REST API, with the access token when this tab has one.
const TOKEN_KEY = 'junmai.token';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A refusal in the API's own words (`error`) and code. */
export class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

export async function api(method, path, body) {
  const headers = {};
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  // Mutations carry a JSON body, as the daemon's guards require.
  if (method !== 'GET') headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: method === 'GET' ? undefined : JSON.stringify(body ?? {}) });
  } catch {
    throw new ApiError('The Junmai daemon is not answering; is it running?', 'DAEMON_UNREACHABLE', 0);
  }
  const json = await res.json().catch(() => null);
  if (!json || json.success !== true) throw new ApiError(json?.error ?? `The daemon answered HTTP ${res.status}.`, json?.code ?? `HTTP_${res.status}`, res.status);
  return json;
}

/** The token as a WebSocket subprotocol may carry it: base64url of its UTF-8 bytes. */
export function tokenProtocol(t) {
  const bytes = new TextEncoder().encode(t);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return 'junmai.bearer.' + btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
