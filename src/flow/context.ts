// What every step of the login and consent flow works with: settings taken from the
// configuration once, the stores, and the codecs.
import { timingSafeEqual } from 'node:crypto'
import { appendPath } from '../url-path.js'
import type { ClientStore } from '../client/store.js'
import type { Config } from '../config/types.js'
import type { KeyRing } from '../jwk/keyring.js'
import type { AuthorizeValidationDeps } from '../oauth2/authorize.js'
import { requestForbidden, requestUnauthorized } from '../oauth2/authorize-errors.js'
import type { OpaqueTokens } from '../oauth2/tokens/opaque-hmac.js'
import type { FrontChannelIssuers } from '../oauth2/authorize-issue.js'
import type { FlowCodec } from './codec.js'
import type { CookieInstruction, FlowCookieNames } from './cookies.js'
import type { Flow } from './model.js'
import type { AutocommitStores, UnitOfWork } from '../unit-of-work.js'

export interface FlowSettings {
  /** urls.self.issuer, exactly as configured (RFC 9207 `iss`). */
  issuer: string
  /** The authorization endpoint under the public URL: where the verifiers lead back to. */
  authorizeUrl: string
  /** The device verification endpoint (RFC 8628): flows started there lead back to it. */
  deviceVerifyUrl: string
  loginUrl: string
  registrationUrl: string
  consentUrl: string
  errorUrl: string
  /** ttl.login_consent_request: the whole flow must finish within it (ms). */
  flowTtlMs: number
  authCodeTtlMs: number
  /** ttl.authentication_session: the longest a remembered login lasts (ms). */
  sessionTtlMs: number
  cookies: FlowCookieNames
  sessionCookiePath: string
  exposeDebug: boolean
  /** oauth2.pushed_authorization_requests.required: every request must come through /oauth2/par. */
  requirePushedRequests: boolean
}


export function flowSettings(config: Readonly<Config>): FlowSettings {
  const c = config.serve.cookies
  return {
    issuer: config.urls.self.issuer,
    authorizeUrl: appendPath(config.urls.self.public, '/oauth2/auth'),
    deviceVerifyUrl: appendPath(config.urls.self.public, '/oauth2/device/verify'),
    loginUrl: config.urls.login,
    registrationUrl: config.urls.registration ?? config.urls.login,
    consentUrl: config.urls.consent,
    errorUrl: config.urls.error,
    flowTtlMs: config.ttl.login_consent_request,
    authCodeTtlMs: config.ttl.auth_code,
    sessionTtlMs: config.ttl.authentication_session,
    cookies: { loginCsrf: c.names.login_csrf, consentCsrf: c.names.consent_csrf, session: c.names.session },
    sessionCookiePath: c.paths.session,
    exposeDebug: config.oauth2.expose_internal_errors,
    requirePushedRequests: config.oauth2.pushed_authorization_requests.required,
  }
}

export interface FlowContext {
  settings: FlowSettings
  clients: Pick<ClientStore, 'get'>
  /** Flow reads and single-statement writes; multi-step writes go through `units`. */
  store: AutocommitStores['flows']
  units: UnitOfWork
  codec: FlowCodec
  /** Makes the authorization codes (`ory_ac_…`). */
  opaque: OpaqueTokens
  /** Verifies id_token_hint; without it an id_token_hint is refused. */
  keyRing: Pick<KeyRing, 'verify'> | undefined
  validation: Omit<AuthorizeValidationDeps, 'getClient'>
  /** Access and ID tokens from the authorization endpoint (implicit and hybrid response types). */
  issuers?: FrontChannelIssuers
  now(): Date
}

/** A CSRF cookie for one step of the flow, living as long as the flow may. */
export function csrfCookie(ctx: FlowContext, name: string, value: string): CookieInstruction {
  return { name, value, maxAge: Math.floor(ctx.settings.flowTtlMs / 1000), path: '/', csrf: true }
}

export function sessionCookie(ctx: FlowContext, value: string | null, maxAge?: number): CookieInstruction {
  return {
    name: ctx.settings.cookies.session,
    value,
    ...(maxAge !== undefined ? { maxAge } : {}),
    path: ctx.settings.sessionCookiePath,
    csrf: false,
  }
}

/** Hydra measures a flow's age from the authorization request: every step must come within the TTL. */
export function checkNotExpired(ctx: FlowContext, flow: Flow, what: 'login' | 'consent'): void {
  if (flow.requestedAt.getTime() + ctx.settings.flowTtlMs < ctx.now().getTime()) {
    throw requestUnauthorized(`The ${what} request has expired, please try again.`)
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The CSRF cookie binds a verifier to the browser that started the flow (Hydra's messages). */
export function checkCsrf(given: string | undefined, expected: string | null): void {
  if (given === undefined || given === '') throw requestForbidden('No CSRF value available in the session cookie.')
  if (expected === null || !sameText(given, expected)) {
    throw requestForbidden('The CSRF value from the token does not match the CSRF value from the data store.')
  }
}

/** Whether a flow was started by the device verification endpoint; its verifiers only work there. */
export const isDeviceFlow = (settings: Pick<FlowSettings, 'deviceVerifyUrl'>, flow: Pick<Flow, 'requestUrl'>): boolean =>
  flow.requestUrl.startsWith(`${settings.deviceVerifyUrl}?`)

/** `base` with the given query parameters set, as Hydra's urlx.SetQuery does. */
export function withQuery(base: string, params: Readonly<Record<string, string>>): string {
  const url = new URL(base)
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  return url.href
}
