// The API, called on the same origin like any client. The credentials are
// HttpOnly cookies this code cannot read (set by /studio/session); unsafe
// requests echo the CSRF cookie in X-CSRF-Token. An expired access token is
// renewed once through the refresh cookie, then the request is sent again.

export class APIError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.code = this.body.error_code;
  }
}

function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)ovp_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

async function send(method, url, body, extraHeaders) {
  const headers = { Accept: 'application/json', ...extraHeaders };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken();
  let res;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new APIError(0, { error_code: 'network', message: e.message });
  }
  if (res.status === 204) return { res, data: null };
  let data = null;
  const ct = res.headers.get('Content-Type') || '';
  if (ct.includes('json')) data = await res.json().catch(() => null);
  if (!res.ok) throw new APIError(res.status, data);
  return { res, data };
}

// hasSession tells whether a session may exist: the CSRF cookie is set and
// cleared with the session's cookies and lives as long as the refresh token,
// so without it there is nothing to ask the server about.
export function hasSession() { return csrfToken() !== ''; }

let refreshing = null;

// refreshSession trades the refresh cookie for new cookies; concurrent
// callers share one request, since a refresh token works only once.
export function refreshSession() {
  if (!refreshing) {
    refreshing = send('POST', '/studio/session/refresh').then(r => r.data, () => null).finally(() => { refreshing = null; });
  }
  return refreshing;
}

export let onSignedOut = () => {};
export function setSignedOutHandler(fn) { onSignedOut = fn; }

export async function api(method, path, body, headers) {
  try {
    return (await send(method, '/api/v1' + path, body, headers)).data;
  } catch (e) {
    if (!(e instanceof APIError) || e.status !== 401) throw e;
    if (!hasSession() || !(await refreshSession())) { onSignedOut(); throw e; }
    return (await send(method, '/api/v1' + path, body, headers)).data;
  }
}

export async function sessionCall(method, path, body) {
  return (await send(method, '/studio/session' + path, body)).data;
}

// qs builds a query string from the non-empty values.
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}
