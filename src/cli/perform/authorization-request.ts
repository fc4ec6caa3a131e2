// The authorization request of `perform authorization-code`: fresh state, nonce and PKCE verifier
// per run (RFC 6749 §10.12, OIDC Core §3.1.2.1, RFC 7636 §4), and the URL that carries them.
import { createHash, randomBytes } from 'node:crypto'
import { CliError } from '../output.js'

export interface FlowSecrets {
  state: string
  nonce: string
  codeVerifier: string
  codeChallenge: string
}

const random = (): string => randomBytes(32).toString('base64url')

export function newFlowSecrets(): FlowSecrets {
  const codeVerifier = random()
  return {
    state: random(),
    nonce: random(),
    codeVerifier,
    codeChallenge: createHash('sha256').update(codeVerifier, 'ascii').digest('base64url'),
  }
}

export interface AuthorizationRequest {
  clientId: string
  redirectUri: string
  scopes: readonly string[]
  audiences: readonly string[]
  prompt: readonly string[]
  maxAge?: number
  state: string
  nonce: string
  codeChallenge?: string
}

/** The authorization endpoint's URL with the request's parameters added to any it already has. */
export function authorizationUrl(endpoint: string, req: AuthorizationRequest): string {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw new CliError(`invalid authorization URL "${endpoint}": not an absolute URL`)
  }
  const set = (name: string, value: string): void => url.searchParams.set(name, value)
  set('response_type', 'code')
  set('client_id', req.clientId)
  set('redirect_uri', req.redirectUri)
  set('scope', req.scopes.join(' '))
  set('state', req.state)
  set('nonce', req.nonce)
  if (req.audiences.length > 0) set('audience', req.audiences.join(' '))
  if (req.prompt.length > 0) set('prompt', req.prompt.join(' '))
  if (req.maxAge !== undefined) set('max_age', String(req.maxAge))
  if (req.codeChallenge !== undefined) {
    set('code_challenge', req.codeChallenge)
    set('code_challenge_method', 'S256')
  }
  return url.href
}
