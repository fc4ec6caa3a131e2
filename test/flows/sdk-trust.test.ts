// The official Hydra SDK's trust relationship methods over a real socket, then the jwt-bearer
// grant with the trusted key against the same server.
import type { JsonWebKey, OAuth2Api } from '@ory/hydra-client'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertionAudiences } from '../../src/oauth2/services.js'
import type { RunningServer } from '../../src/server.js'
import { testDatabases } from '../support/databases.js'
import { startSocketServer, type SocketServer } from '../support/socket-server.js'

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

for (const t of testDatabases()) {
  describe(`@ory/hydra-client trust relationships against Orthrus on ${t.name}`, () => {
    let server: RunningServer
    let running: SocketServer
    let api: OAuth2Api
    let tokenUrl: string

    beforeAll(async () => {
      running = await startSocketServer(t)
      server = running.server
      api = running.api
      tokenUrl = assertionAudiences(running.config)[0] as string
    })
    afterAll(async () => {
      await running?.close()
    })

    it('trusts, lists, gets and deletes an issuer; the trusted key obtains a token', async () => {
      const pair = await generateKeyPair('ES256', { extractable: true })
      const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'sdk-key', alg: 'ES256', use: 'sig' } as JsonWebKey
      const { data: created, status } = await api.trustOAuth2JwtGrantIssuer({
        trustOAuth2JwtGrantIssuer: {
          issuer: 'https://sdk-idp.example',
          subject: 'svc@example.com',
          scope: ['read'],
          jwk,
          expires_at: '2099-06-01T00:00:00Z',
        },
      })
      expect(status).toBe(201)
      expect(created).toMatchObject({
        issuer: 'https://sdk-idp.example',
        subject: 'svc@example.com',
        allow_any_subject: false,
        scope: ['read'],
        public_key: { set: 'https://sdk-idp.example', kid: 'sdk-key' },
        expires_at: '2099-06-01T00:00:00Z',
      })
      const id = created.id as string

      await api.trustOAuth2JwtGrantIssuer({
        trustOAuth2JwtGrantIssuer: { issuer: 'https://sdk-other.example', allow_any_subject: true, scope: [], jwk, expires_at: '2099-06-01T00:00:00Z' },
      })
      const { data: all, headers } = await api.listTrustedOAuth2JwtGrantIssuers({ pageSize: 10 })
      expect(all.map((g) => g.id)).toContain(id)
      expect(headers['x-total-count']).toBe('2')
      const { data: filtered } = await api.listTrustedOAuth2JwtGrantIssuers({ issuer: 'https://sdk-other.example' })
      expect(filtered).toHaveLength(1)
      expect(filtered[0]).toMatchObject({ allow_any_subject: true, subject: '' })

      const { data: got } = await api.getTrustedOAuth2JwtGrantIssuer({ id })
      expect(got).toEqual(created)

      // The trusted key now works at the public token endpoint of the same server.
      const client = await fetch(`${server.urls.admin}/admin/clients`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_types: [GRANT], scope: 'read', token_endpoint_auth_method: 'client_secret_post' }),
      }).then((r) => r.json() as Promise<{ client_id: string; client_secret: string }>)
      const now = Math.floor(Date.now() / 1000)
      const assertion = await new SignJWT({ iss: 'https://sdk-idp.example', sub: 'svc@example.com', aud: tokenUrl, jti: randomUUID(), iat: now, exp: now + 120 })
        .setProtectedHeader({ alg: 'ES256', kid: 'sdk-key' })
        .sign(pair.privateKey)
      const res = await fetch(`${server.urls.public}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: GRANT, assertion, scope: 'read', client_id: client.client_id, client_secret: client.client_secret }),
      })
      const tokenBody = (await res.json()) as { access_token: string; scope: string }
      expect(res.status, JSON.stringify(tokenBody)).toBe(200)
      const { data: info } = await api.introspectOAuth2Token({ token: tokenBody.access_token })
      expect(info).toMatchObject({ active: true, sub: 'svc@example.com', scope: 'read', client_id: client.client_id })

      const del = await api.deleteTrustedOAuth2JwtGrantIssuer({ id })
      expect(del.status).toBe(204)
      const err = await api.getTrustedOAuth2JwtGrantIssuer({ id }).catch((e: unknown) => e)
      expect((err as { response?: { status?: number } }).response?.status).toBe(404)
    })
  })
}
