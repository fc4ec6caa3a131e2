import { describe, expect, it } from 'vitest'
import { GRANT_TYPES, checkGrantTypes } from '../../src/client/grants.js'
import { LIFESPAN_FIELDS, emptyLifespans } from '../../src/client/model.js'
import { GRANTS, activeGrants } from '../../src/oauth2/grants/index.js'
import { defineGrant, grantLifespans, type GrantServices } from '../../src/oauth2/grants/grant.js'
import { GRANT_TYPES_SUPPORTED } from '../../src/oidc/discovery.js'
import { DEVICE_CODE_GRANT } from '../../src/cli/perform/device-code.js'

const services: GrantServices = { issuer: 'https://issuer.test', keys: undefined, assertionAudiences: ['https://issuer.test'] }

describe('the grant registry', () => {
  it('feeds discovery and client validation', () => {
    expect(GRANT_TYPES_SUPPORTED).toEqual(GRANTS.map((g) => g.type))
    for (const g of GRANTS) expect(GRANT_TYPES).toContain(g.type)
    // implicit is issued at the authorization endpoint, not by a token endpoint grant.
    expect(GRANT_TYPES).toContain('implicit')
    expect(GRANT_TYPES_SUPPORTED).not.toContain('implicit')
    expect(GRANTS.map((g) => g.type)).toContain(DEVICE_CODE_GRANT)
  })

  it('declares lifespan keys the client model stores', () => {
    for (const g of GRANTS) {
      for (const key of Object.values(g.lifespans)) expect(LIFESPAN_FIELDS).toContain(key)
    }
  })

  it('declares each type once and repeatable parameters among its parameters', () => {
    expect(new Set(GRANTS.map((g) => g.type)).size).toBe(GRANTS.length)
    for (const g of GRANTS) for (const r of g.repeatable ?? []) expect(g.parameters).toContain(r)
  })

  it('turns off a grant whose services the server lacks', () => {
    const types = activeGrants(services).map((g) => g.type)
    expect(types).not.toContain('urn:ietf:params:oauth:grant-type:jwt-bearer')
    expect(types).not.toContain(DEVICE_CODE_GRANT)
    expect(types).toContain('client_credentials')
  })

  it('takes a new grant as one module', async () => {
    const echo = defineGrant({
      type: 'urn:example:echo',
      parameters: ['word'],
      clientAuthentication: 'confidential',
      issues: { refreshToken: false, idToken: false },
      lifespans: { access: 'client_credentials_grant_access_token_lifespan' },
      unitOfWork: 'single-write',
      dependencies: (s) => ({ issuer: s.issuer }),
      handle: async (req, _ctx, deps) => ({
        access_token: `${deps.issuer}:${req.form['word'] ?? ''}`,
        expires_in: req.lifespans.access / 1000,
        scope: '',
        token_type: 'bearer' as const,
      }),
    })
    const [grant] = activeGrants(services, [echo])
    expect(grant?.type).toBe('urn:example:echo')
    const client = { lifespans: { ...emptyLifespans(), client_credentials_grant_access_token_lifespan: 60_000 } }
    const lifespans = grantLifespans(echo, client, { access_token: 3_600_000, refresh_token: -1, id_token: 3_600_000 })
    expect(lifespans).toEqual({ access: 60_000, refresh: null, idToken: 3_600_000 })
  })

  it('refuses client_credentials for a public client at registration, as declared', () => {
    expect(() => checkGrantTypes(['client_credentials'], true)).toThrow(/client_credentials/)
    expect(checkGrantTypes(['urn:ietf:params:oauth:grant-type:jwt-bearer'], true)).toEqual(['urn:ietf:params:oauth:grant-type:jwt-bearer'])
  })
})
