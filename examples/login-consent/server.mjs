// A minimal login & consent app for Orthrus (or Ory Hydra 2.x), using only Node's standard
// library and the admin API. Copy it, replace authenticate() with a lookup in your user
// database, and point urls.login / urls.consent (and, for the device flow, urls.device.verification /
// urls.device.success) at it. Run: node server.mjs
/* global fetch, URLSearchParams, AbortSignal */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'

const ADMIN_URL = (process.env.ADMIN_URL ?? 'http://127.0.0.1:4445').replace(/\/+$/, '')
const PORT = Number(process.env.PORT ?? 3000)
const HOST = process.env.HOST ?? '127.0.0.1'
// Signs the CSRF fields; set CSRF_SECRET so open forms survive a restart.
const CSRF_KEY = process.env.CSRF_SECRET ?? randomBytes(32).toString('hex')
const CSRF_COOKIE = 'login_consent_csrf'
const REMEMBER_FOR = 3600

/** Replace with your user database. Returns the subject (a stable user id) or undefined. */
async function authenticate(username, password) {
  return username !== '' && password === 'demo' ? username : undefined
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])

// Admin API: GET the request, PUT accept/reject; both answer with where the browser goes next.
// A refusal throws an Error carrying the HTTP status, e.g. 400 for a wrong device user code.
async function admin(method, kind, action, challenge, body) {
  const url = `${ADMIN_URL}/admin/oauth2/auth/requests/${kind}${action ? `/${action}` : ''}?${kind}_challenge=${encodeURIComponent(challenge)}`
  const res = await fetch(url, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  })
  const json = await res.json().catch(() => ({}))
  if (!res.ok && res.status !== 410) {
    throw Object.assign(new Error(json.error_description ?? json.error ?? `admin API answered ${res.status}`), { status: res.status })
  }
  return json
}

// CSRF: a random token in an HttpOnly cookie; each form carries an HMAC of it and the challenge.
const cookieToken = (req) => /(?:^|;\s*)login_consent_csrf=([\w-]{43})(?:;|$)/.exec(req.headers.cookie ?? '')?.[1]
const csrfField = (token, kind, challenge) => createHmac('sha256', CSRF_KEY).update(`${kind}\n${challenge}\n${token}`).digest('base64url')
function csrfValid(req, form, kind) {
  const token = cookieToken(req)
  const given = Buffer.from(form.get('csrf_token') ?? '')
  const expected = Buffer.from(token ? csrfField(token, kind, form.get('challenge') ?? '') : '')
  return token !== undefined && given.length === expected.length && timingSafeEqual(given, expected)
}

function page(res, status, title, body, setCookie) {
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  }
  if (setCookie) headers['set-cookie'] = setCookie
  res.writeHead(status, headers).end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>${body}</body></html>`)
}
const redirect = (res, status, location) => res.writeHead(status, { location, 'cache-control': 'no-store' }).end()

/** The form's hidden fields, issuing the CSRF cookie when the browser has none yet. */
function hidden(req, kind, challenge) {
  let token = cookieToken(req)
  let setCookie
  if (!token) {
    token = randomBytes(32).toString('base64url')
    setCookie = `${CSRF_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`
  }
  const fields = `<input type="hidden" name="challenge" value="${esc(challenge)}"><input type="hidden" name="csrf_token" value="${esc(csrfField(token, kind, challenge))}">`
  return { fields, setCookie }
}

function loginForm(req, res, challenge, login, error = '', username = '') {
  const { fields, setCookie } = hidden(req, 'login', challenge)
  const client = login.client?.client_name || login.client?.client_id || ''
  page(res, error ? 400 : 200, 'Sign in', `<h1>Sign in to ${esc(client)}</h1>${error ? `<p>${esc(error)}</p>` : ''}
<form method="post" action="login">${fields}
<p><label>Username <input name="username" value="${esc(username)}" autocomplete="username"></label></p>
<p><label>Password <input type="password" name="password" autocomplete="current-password"></label></p>
<p><label><input type="checkbox" name="remember" value="1"> Remember me</label></p>
<button name="action" value="accept">Sign in</button> <button name="action" value="deny">Deny</button></form>`, setCookie)
}

function consentForm(req, res, challenge, consent) {
  const { fields, setCookie } = hidden(req, 'consent', challenge)
  const boxes = (name, values) => (values ?? []).map((v) => `<p><label><input type="checkbox" name="${name}" value="${esc(v)}" checked> ${esc(v)}</label></p>`).join('')
  page(res, 200, 'Consent', `<h1>${esc(consent.client?.client_name || consent.client?.client_id || '')} wants access</h1>
<p>Signed in as ${esc(consent.subject)}.</p><form method="post" action="consent">${fields}
${boxes('grant_scope', consent.requested_scope)}${boxes('grant_audience', consent.requested_access_token_audience)}
<p><label><input type="checkbox" name="remember" value="1"> Remember this decision</label></p>
<button name="action" value="accept">Allow</button> <button name="action" value="deny">Deny</button></form>`, setCookie)
}

// Device flow (RFC 8628): the person types the code their device shows. With
// verification_uri_complete the code arrives in the URL; it is only prefilled, never auto-submitted.
function deviceForm(req, res, challenge, userCode = '', error = '') {
  const { fields, setCookie } = hidden(req, 'device', challenge)
  page(res, error ? 400 : 200, 'Connect a device', `<h1>Connect a device</h1><p>Enter the code shown on your device.</p>${error ? `<p>${esc(error)}</p>` : ''}
<form method="post" action="device">${fields}
<p><label>Code <input name="user_code" value="${esc(userCode)}" autocomplete="off" autocapitalize="characters" spellcheck="false" required></label></p>
<button name="action" value="accept">Continue</button></form>`, setCookie)
}

async function handleDevice(req, res, url) {
  if (req.method === 'GET') {
    const challenge = url.searchParams.get('device_challenge')
    if (!challenge) return page(res, 400, 'Bad request', '<p>Missing device_challenge: open the link your device shows.</p>')
    return deviceForm(req, res, challenge, (url.searchParams.get('user_code') ?? '').slice(0, 32))
  }
  if (req.method !== 'POST') return page(res, 405, 'Method not allowed', '<p>Method not allowed</p>')
  const form = await readForm(req)
  if (!form) return page(res, 413, 'Too large', '<p>Too large</p>')
  const challenge = form.get('challenge') ?? ''
  if (!challenge || !csrfValid(req, form, 'device')) return page(res, 403, 'Forbidden', '<p>Invalid CSRF token: reload the page.</p>')
  const userCode = (form.get('user_code') ?? '').trim().slice(0, 32)
  try {
    // The server checks the code; on success the browser continues with the usual login and consent.
    return redirect(res, 303, (await admin('PUT', 'device', 'accept', challenge, { user_code: userCode })).redirect_to)
  } catch (err) {
    // A wrong code: ask again, with the server's reason (it says how many attempts are left).
    if (err.status !== 400) throw err
    return deviceForm(req, res, challenge, userCode, err.message)
  }
}

/** The posted urlencoded form, or undefined when the body is too large. */
async function readForm(req) {
  let raw = ''
  for await (const chunk of req) if ((raw += chunk).length > 65_536) return undefined
  return new URLSearchParams(raw)
}

const DENIED = { error: 'access_denied', error_description: 'The resource owner denied the request' }

async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://localhost')
  if (url.pathname === '/device') return handleDevice(req, res, url)
  // The device flow ends here (urls.device.success): the device now receives its tokens.
  if (url.pathname === '/device/done') return page(res, 200, 'Device connected', '<h1>Your device is connected</h1><p>You can close this page and return to your device.</p>')
  const kind = url.pathname === '/login' ? 'login' : url.pathname === '/consent' ? 'consent' : undefined
  if (!kind) return page(res, 404, 'Not found', '<p>Not found</p>')
  if (req.method === 'GET') {
    const challenge = url.searchParams.get(`${kind}_challenge`)
    if (!challenge) return page(res, 400, 'Bad request', `<p>Missing ${kind}_challenge.</p>`)
    const request = await admin('GET', kind, '', challenge)
    if (request.redirect_to) return redirect(res, 302, request.redirect_to) // already handled (410)
    // skip: the server already knows this user (or their consent); confirm without asking.
    if (request.skip && kind === 'login') return redirect(res, 302, (await admin('PUT', 'login', 'accept', challenge, { subject: request.subject })).redirect_to)
    if (request.skip) {
      const body = { grant_scope: request.requested_scope, grant_access_token_audience: request.requested_access_token_audience }
      return redirect(res, 302, (await admin('PUT', 'consent', 'accept', challenge, body)).redirect_to)
    }
    return kind === 'login' ? loginForm(req, res, challenge, request) : consentForm(req, res, challenge, request)
  }
  if (req.method !== 'POST') return page(res, 405, 'Method not allowed', '<p>Method not allowed</p>')
  const form = await readForm(req)
  if (!form) return page(res, 413, 'Too large', '<p>Too large</p>')
  const challenge = form.get('challenge') ?? ''
  if (!challenge || !csrfValid(req, form, kind)) return page(res, 403, 'Forbidden', '<p>Invalid CSRF token: reload the page.</p>')
  if (form.get('action') === 'deny') return redirect(res, 303, (await admin('PUT', kind, 'reject', challenge, DENIED)).redirect_to)
  const remember = form.get('remember') === '1'
  if (kind === 'login') {
    const username = (form.get('username') ?? '').trim()
    const subject = await authenticate(username, form.get('password') ?? '')
    if (!subject) return loginForm(req, res, challenge, await admin('GET', 'login', '', challenge), 'Wrong username or password.', username)
    return redirect(res, 303, (await admin('PUT', 'login', 'accept', challenge, { subject, remember, remember_for: REMEMBER_FOR })).redirect_to)
  }
  // Grant only what was requested, whatever the posted form says.
  const consent = await admin('GET', 'consent', '', challenge)
  if (consent.redirect_to) return redirect(res, 303, consent.redirect_to)
  const scopes = form.getAll('grant_scope').filter((s) => (consent.requested_scope ?? []).includes(s))
  const audiences = form.getAll('grant_audience').filter((a) => (consent.requested_access_token_audience ?? []).includes(a))
  const body = { grant_scope: scopes, grant_access_token_audience: audiences, remember, remember_for: REMEMBER_FOR }
  return redirect(res, 303, (await admin('PUT', 'consent', 'accept', challenge, body)).redirect_to)
}

createServer((req, res) => {
  handle(req, res).catch((err) => page(res, 502, 'Error', `<p>${esc(err.message)}</p>`))
}).listen(PORT, HOST, () => process.stdout.write(`login & consent app on http://${HOST}:${PORT} (admin API ${ADMIN_URL})\n`))
