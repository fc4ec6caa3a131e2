// Hydra's token hooks over HTTP (oauth2.token_hook, oauth2.refresh_token_hook): the session a
// grant is about to issue is POSTed as JSON to the operator's endpoint, which answers
//   204            issue the claims as they are;
//   200 + session  the access token's extra claims (`ext`) become session.access_token and the
//                  ID token's extra claims become session.id_token (Hydra replaces both);
//   403            the token request is denied (access_denied);
//   anything else  the token request fails with server_error, as does a timeout, an unreachable
//                  endpoint, an answer that is not JSON, has the wrong shape or is too large.
// For refresh_token grants the refresh hook runs first and the token hook sees its result, as
// Hydra calls both in that order. Neither the payload (it carries claims) nor the API key is ever
// logged or put into an error; an error never echoes the hook's answer.
import { OutboundError, unrestrictedOutbound, type OutboundFetcher, type OutboundResponse } from '../outbound/fetcher.js'
import { presentClient } from '../client/present.js'
import type { Config, WebhookConfig } from '../config/types.js'
import { OAuthError } from './errors.js'
import { noTokenHook } from './token-hook.js'
import type { TokenHook, TokenHookInput, TokenHookResult } from './token-hook.js'

export const TOKEN_HOOK_TIMEOUT_MS = 10_000
export const TOKEN_HOOK_MAX_BYTES = 1024 * 1024

/**
 * Form parameters a hook may see (Hydra's sanitized request form): the jwt-bearer `assertion`,
 * so a hook can look into it. Everything else (codes, verifiers, refresh tokens) stays here.
 */
export const TOKEN_HOOK_FORM_PARAMETERS: readonly string[] = ['assertion']

export interface HttpTokenHookOptions {
  /** urls.self.issuer: the `iss` the hook is shown. */
  issuer: string
  /** What Hydra's session also tells the hook about how claims are placed in JWT access tokens. */
  claims?: Pick<Config['oauth2'], 'exclude_not_before_claim' | 'allowed_top_level_claims' | 'mirror_top_level_claims' | 'preserve_ext_claims'>
  /** Milliseconds for the whole exchange, answer included. */
  timeoutMs?: number
  /** Largest answer read, in bytes. */
  maxBytes?: number
  /** The bounded outbound fetcher (address policy included); an unrestricted one by default. */
  outbound?: OutboundFetcher
  now?: () => Date
}

const SERVER_ERROR =
  'The authorization server encountered an unexpected condition that prevented it from fulfilling the request.'
const DENIED = 'The resource owner or authorization server denied the request.'

const failure = (hint: string, debug?: string): OAuthError => new OAuthError('server_error', SERVER_ERROR, 500, hint, debug)

type Hook = { kind: 'token_hook' | 'refresh_token_hook'; config: WebhookConfig }

/** The configured hooks as one TokenHook; noTokenHook when neither is set. */
export function tokenHookFromConfig(
  oauth2: Pick<Config['oauth2'], 'token_hook' | 'refresh_token_hook'>,
  opts: HttpTokenHookOptions,
): TokenHook {
  if (!oauth2.token_hook && !oauth2.refresh_token_hook) return noTokenHook
  return new HttpTokenHook(
    oauth2.token_hook ? { kind: 'token_hook', config: oauth2.token_hook } : undefined,
    oauth2.refresh_token_hook ? { kind: 'refresh_token_hook', config: oauth2.refresh_token_hook } : undefined,
    opts,
  )
}

export class HttpTokenHook implements TokenHook {
  private readonly timeoutMs: number
  private readonly maxBytes: number
  private readonly now: () => Date

  constructor(
    private readonly token: Hook | undefined,
    private readonly refresh: Hook | undefined,
    private readonly opts: HttpTokenHookOptions,
  ) {
    this.timeoutMs = opts.timeoutMs ?? TOKEN_HOOK_TIMEOUT_MS
    this.maxBytes = opts.maxBytes ?? TOKEN_HOOK_MAX_BYTES
    this.now = opts.now ?? (() => new Date())
  }

  async run(input: TokenHookInput): Promise<TokenHookResult> {
    let current: TokenHookResult = { accessTokenClaims: { ...input.accessTokenClaims }, idTokenClaims: { ...input.idTokenClaims } }
    if (this.refresh && input.grantType === 'refresh_token') {
      current = await this.call(this.refresh, refreshHookBody({ ...input, ...current }, this.session({ ...input, ...current })), current)
    }
    if (this.token) {
      current = await this.call(this.token, tokenHookBody({ ...input, ...current }, this.session({ ...input, ...current })), current)
    }
    return current
  }

  /** Hydra's oauth2.Session as its JSON reads, with what Orthrus knows at this point. */
  private session(input: TokenHookInput): Record<string, unknown> {
    const o = input.oidc
    const time = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
    const claims: Record<string, unknown> = {
      jti: '',
      iss: this.opts.issuer,
      sub: input.subject,
      aud: [input.client.client_id],
      nonce: '',
      iat: time(Math.floor(this.now().getTime() / 1000)),
    }
    if (o && o.requestedAt > 0) claims.rat = time(o.requestedAt)
    if (o && o.authTime > 0) claims.auth_time = time(o.authTime)
    Object.assign(claims, {
      at_hash: '',
      acr: o?.acr ?? '',
      amr: o && o.amr.length > 0 ? [...o.amr] : null,
      c_hash: '',
      ext: { ...input.idTokenClaims },
    })
    const c = this.opts.claims
    return {
      id_token: { id_token_claims: claims, headers: { extra: {} }, username: '', subject: input.subject },
      extra: { ...input.accessTokenClaims },
      client_id: input.client.client_id,
      consent_challenge: input.challengeId ?? '',
      exclude_not_before_claim: c?.exclude_not_before_claim ?? false,
      allowed_top_level_claims: [...(c?.allowed_top_level_claims ?? [])],
      mirror_top_level_claims: c?.mirror_top_level_claims ?? true,
      preserve_ext_claims: c?.preserve_ext_claims ?? false,
    }
  }

  private async call(hook: Hook, body: unknown, current: TokenHookResult): Promise<TokenHookResult> {
    const name = hook.kind === 'token_hook' ? 'token hook' : 'refresh token hook'
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8', accept: 'application/json' }
    const auth = hook.config.auth
    if (auth) {
      if (auth.config.in === 'cookie') headers.cookie = `${auth.config.name}=${auth.config.value}`
      else headers[auth.config.name] = auth.config.value
    }
    const outbound = this.opts.outbound ?? unrestrictedOutbound
    let res: OutboundResponse
    try {
      res = await outbound.request(hook.config.url, { method: 'POST', headers, body: JSON.stringify(body), timeoutMs: this.timeoutMs, maxBytes: this.maxBytes })
    } catch (err) {
      // The fetcher's reasons are safe; the message of a bad header could quote the key, so only they are used.
      const reason = err instanceof OutboundError ? err.reason : 'unreachable'
      if (reason === 'timeout') throw failure(`The ${name} did not answer within ${this.timeoutMs / 1000} seconds.`, `${hook.kind}: timeout`)
      if (reason === 'too_large') throw failure(`The ${name} answered with more than ${this.maxBytes} bytes.`, `${hook.kind}: answer too large`)
      if (reason === 'unreadable') throw failure(`The ${name} answer could not be read.`, `${hook.kind}: body read failed`)
      if (reason === 'disallowed_address') throw failure(`The ${name} is at an address outbound requests may not reach.`, `${hook.kind}: disallowed address`)
      // The system error's code (ECONNREFUSED, ...) is safe to keep for the operator.
      const code = (err instanceof Error ? (err.cause as { code?: unknown } | undefined)?.code : undefined) ?? reason
      throw failure(`The ${name} could not be reached.`, `${hook.kind}: ${String(code)}`)
    }
    if (res.status !== 200) {
      // Nothing of a non-200 answer is used; its status goes to the debug field only.
      if (res.status === 204) return current
      if (res.status === 403) throw new OAuthError('access_denied', DENIED, 403, `The ${name} denied the request.`)
      throw failure(`The ${name} did not answer as expected.`, `${hook.kind}: status ${res.status}`)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(res.body.toString('utf8'))
    } catch {
      throw failure(`The ${name} answered with something that is not JSON.`, `${hook.kind}: invalid JSON`)
    }
    return claimsOf(parsed, name, hook.kind)
  }
}

/** Hydra's token hook request: the session and a summary of the token request. */
function tokenHookBody(input: TokenHookInput, session: Record<string, unknown>): unknown {
  const payload: Record<string, string[]> = {}
  for (const p of TOKEN_HOOK_FORM_PARAMETERS) {
    const value = input.form[p]
    if (value !== undefined) payload[p] = [value]
  }
  return {
    session,
    request: {
      client_id: input.client.client_id,
      // The client as the admin API shows it; presentClient never includes the secret.
      client: presentClient(input.client),
      granted_scopes: [...input.grantedScope],
      granted_audience: [...input.grantedAudience],
      grant_types: [input.grantType],
      payload,
    },
  }
}

/** Hydra's (older) refresh token hook request. */
function refreshHookBody(input: TokenHookInput, session: Record<string, unknown>): unknown {
  const requester = {
    client_id: input.client.client_id,
    granted_scopes: [...input.grantedScope],
    granted_audience: [...input.grantedAudience],
    grant_types: [input.grantType],
  }
  return {
    subject: input.subject,
    session,
    requester,
    client_id: requester.client_id,
    granted_scopes: requester.granted_scopes,
    granted_audience: requester.granted_audience,
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A 200 answer: `{"session": {"access_token": {...}, "id_token": {...}}}`; a missing part is empty, as in Hydra. */
function claimsOf(body: unknown, name: string, kind: string): TokenHookResult {
  const wrong = (): OAuthError =>
    failure(
      `The ${name} answer must be a JSON object with a "session" object whose "access_token" and "id_token" are objects.`,
      `${kind}: unexpected answer shape`,
    )
  if (!isObject(body) || !isObject(body.session)) throw wrong()
  const { access_token: access, id_token: id } = body.session
  if ((access !== undefined && access !== null && !isObject(access)) || (id !== undefined && id !== null && !isObject(id))) throw wrong()
  return { accessTokenClaims: isObject(access) ? { ...access } : {}, idTokenClaims: isObject(id) ? { ...id } : {} }
}
