// The admin console's browser-independent logic: reading Prometheus text, the commands shown
// for a client, and which form field an admin API error names.
import { describe, expect, it } from 'vitest'
import { authorizationUrl, clientCommands, shellQuote } from '../../console/src/commands.js'
import { fieldOf } from '../../console/src/fields.js'
import { byLabel, parseMetrics, total } from '../../console/src/metrics.js'

describe('console: Prometheus text', () => {
  const text = [
    '# HELP orthrus_flows_rejected_total Login or consent requests rejected',
    '# TYPE orthrus_flows_rejected_total counter',
    'orthrus_flows_rejected_total{step="login"} 3',
    'orthrus_flows_rejected_total{step="consent"} 2',
    'orthrus_flows_started_total 7',
    'orthrus_oauth2_tokens_issued_total{grant_type="client_credentials"} 5',
    'orthrus_oauth2_tokens_issued_total{grant_type="authorization_code"} 9',
    'weird{label="a \\"quoted\\" value",other="x"} 1.5 1700000000000',
    'not a sample line',
  ].join('\n')
  const samples = parseMetrics(text)

  it('reads names, labels (with escapes) and values, skipping comments and junk', () => {
    expect(samples).toHaveLength(6)
    expect(samples.at(-1)).toEqual({ name: 'weird', labels: { label: 'a "quoted" value', other: 'x' }, value: 1.5 })
  })

  it('sums by name and label', () => {
    expect(total(samples, 'orthrus_flows_rejected_total')).toBe(5)
    expect(total(samples, 'orthrus_flows_rejected_total', { step: 'login' })).toBe(3)
    expect(total(samples, 'orthrus_flows_started_total')).toBe(7)
    expect(total(samples, 'missing')).toBe(0)
    expect(byLabel(samples, 'orthrus_oauth2_tokens_issued_total', 'grant_type')).toEqual([['authorization_code', 9], ['client_credentials', 5]])
  })
})

describe('console: commands for a client', () => {
  const base = { client_id: 'my app', scope: 'read write', token_endpoint_auth_method: 'client_secret_basic' }

  it('quotes for the shell and never writes the secret into a command', () => {
    expect(shellQuote('abc-1.2')).toBe('abc-1.2')
    expect(shellQuote("it's")).toBe(`'it'\\''s'`)
    const cmds = clientCommands({ ...base, grant_types: ['client_credentials'] }, 'https://auth.example.com/')
    expect(cmds.map((c) => c.title)).toEqual(['client_credentials with curl', 'client_credentials with orthrus'])
    expect(cmds[0]?.text).toContain(`-u 'my app':"$OAUTH2_CLIENT_SECRET"`)
    expect(cmds[0]?.text).toContain('https://auth.example.com/oauth2/token')
    expect(cmds[0]?.text).toContain(`-d scope='read write'`)
    expect(cmds[1]?.text).toContain('orthrus perform client-credentials')
    expect(cmds[1]?.text).toContain(`--scope read,write`)
  })

  it('follows the authentication method and the grant types', () => {
    const post = clientCommands({ ...base, token_endpoint_auth_method: 'client_secret_post', grant_types: ['refresh_token'] }, 'https://a.example')
    expect(post[0]?.text).toContain('-d client_secret="$OAUTH2_CLIENT_SECRET"')
    const pub = clientCommands({ ...base, token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], redirect_uris: ['http://127.0.0.1:5555/cb'] }, 'https://a.example')
    expect(pub[0]?.text).not.toContain('OAUTH2_CLIENT_SECRET')
    expect(pub[0]?.text).toContain('--port 5555')
    expect(pub[0]?.text).toContain('--redirect http://127.0.0.1:5555/cb')
    expect(clientCommands({ ...base, grant_types: ['implicit'] }, 'https://a.example')).toEqual([])
  })

  it('builds an authorization request URL on the public URL', () => {
    const url = new URL(authorizationUrl('https://auth.example.com/', { clientId: 'c', redirectUri: 'https://app/cb', scope: 'openid', state: 's' }))
    expect(`${url.origin}${url.pathname}`).toBe('https://auth.example.com/oauth2/auth')
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app/cb', scope: 'openid', state: 's' })
  })
})

describe('console: the field an admin API error names', () => {
  it('reads the client and trust validation hints', () => {
    expect(fieldOf('Field redirect_uris contains "x", which must be an http(s) URL.')).toBe('redirect_uris')
    expect(fieldOf("Field 'jwk' must be a public key.")).toBe('jwk')
    expect(fieldOf('Fields jwks and jwks_uri can not both be set, you must choose one.')).toBe('jwks')
    expect(fieldOf('The redirect_uri "x" is not listed in the document at sector_identifier_uri.')).toBeUndefined()
    expect(fieldOf('Something else entirely.')).toBeUndefined()
  })
})
