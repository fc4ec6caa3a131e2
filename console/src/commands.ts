// Ready-to-paste commands for a client, one per grant type it may use: curl against the public
// token endpoint and the matching `orthrus` CLI verb. The secret is never written into them: it
// comes from $OAUTH2_CLIENT_SECRET, which the CLI reads too.
import type { OAuth2Client } from './model.js'

export interface Command {
  title: string
  text: string
}

/** POSIX shell single-quoting. */
export const shellQuote = (s: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)

const endpointOf = (publicUrl: string, path: string): string => `${publicUrl.replace(/\/+$/, '')}${path}`

export function clientCommands(client: OAuth2Client, publicUrl: string): Command[] {
  const grants = new Set(client.grant_types ?? [])
  const id = shellQuote(client.client_id)
  const token = shellQuote(endpointOf(publicUrl, '/oauth2/token'))
  const base = shellQuote(publicUrl.replace(/\/+$/, ''))
  const method = client.token_endpoint_auth_method ?? 'client_secret_basic'
  const isPublic = method === 'none'
  const curlAuth = isPublic
    ? [`-d client_id=${id}`]
    : method === 'client_secret_post'
      ? [`-d client_id=${id}`, '-d client_secret="$OAUTH2_CLIENT_SECRET"']
      : [`-u ${id}:"$OAUTH2_CLIENT_SECRET"`]
  const scope = client.scope ? [`-d scope=${shellQuote(client.scope)}`] : []
  const curl = (form: string[]) => ['curl -sS -X POST', ...curlAuth, ...form, token].join(' \\\n  ')
  const secretFlag = isPublic ? [] : ['--client-secret "$OAUTH2_CLIENT_SECRET"']
  const orthrus = (verb: string, extra: string[] = []) => [`orthrus perform ${verb}`, `--client-id ${id}`, ...secretFlag, ...extra, `--endpoint ${base}`].join(' \\\n  ')
  const scopeFlag = client.scope ? [`--scope ${shellQuote(client.scope.split(' ').join(','))}`] : []
  const out: Command[] = []

  if (grants.has('client_credentials')) {
    out.push({ title: 'client_credentials with curl', text: curl(['-d grant_type=client_credentials', ...scope]) })
    out.push({ title: 'client_credentials with orthrus', text: orthrus('client-credentials', scopeFlag) })
  }
  if (grants.has('authorization_code')) {
    // perform authorization-code serves the callback itself, so it needs a loopback redirect URI.
    const loopback = (client.redirect_uris ?? []).find((u) => /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(u))
    const flags = loopback ? [`--port ${new URL(loopback).port || '80'}`, `--redirect ${shellQuote(loopback)}`] : []
    out.push({ title: `authorization_code with orthrus${loopback ? '' : ' (register a http://127.0.0.1:4446/callback redirect URI first)'}`, text: orthrus('authorization-code', [...scopeFlag, ...flags]) })
  }
  if (grants.has('urn:ietf:params:oauth:grant-type:device_code')) {
    out.push({ title: 'device_code with orthrus', text: orthrus('device-code', scopeFlag) })
  }
  if (grants.has('refresh_token')) {
    out.push({ title: 'refresh_token with curl', text: curl(['-d grant_type=refresh_token', '-d refresh_token="$REFRESH_TOKEN"']) })
  }
  if (grants.has('urn:ietf:params:oauth:grant-type:jwt-bearer')) {
    out.push({ title: 'jwt-bearer (RFC 7523) with curl', text: curl(['-d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer', '-d assertion="$JWT"', ...scope]) })
  }
  if (grants.has('urn:ietf:params:oauth:grant-type:token-exchange')) {
    out.push({
      title: 'token-exchange (RFC 8693) with curl',
      text: curl(['-d grant_type=urn:ietf:params:oauth:grant-type:token-exchange', '-d subject_token="$SUBJECT_TOKEN"', '-d subject_token_type=urn:ietf:params:oauth:token-type:access_token']),
    })
  }
  return out
}

/** An authorization request URL for a quick browser test (RFC 6749 §4.1.1). */
export function authorizationUrl(publicUrl: string, p: { clientId: string; redirectUri: string; scope: string; state: string }): string {
  const query = new URLSearchParams({ client_id: p.clientId, response_type: 'code', redirect_uri: p.redirectUri, scope: p.scope, state: p.state })
  return `${endpointOf(publicUrl, '/oauth2/auth')}?${query.toString()}`
}
