// New client secrets. Hydra's rotateOAuth2ClientSecret (POST /admin/clients/{id}/secrets/rotate)
// keeps the old secret valid; where the server does not route it (its admin OpenAPI document
// says which routes exist), the secret is replaced through PATCH, which ends the old one at once.
import { call, enc, get } from './api.js'
import type { OAuth2Client } from './model.js'

let rotation: Promise<boolean> | undefined

export function supportsRotation(): Promise<boolean> {
  rotation ??= get<{ paths?: Record<string, Record<string, unknown>> }>('/.well-known/openapi.json').then(
    (r) => r.data.paths?.['/admin/clients/{id}/secrets/rotate']?.['post'] !== undefined,
    () => false,
  )
  return rotation
}

/** 32 random bytes, base64url: as strong as the secrets the server generates. */
export function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

export async function newClientSecret(clientId: string): Promise<string> {
  if (await supportsRotation()) {
    const rotated = await call<OAuth2Client>('POST', `/admin/clients/${enc(clientId)}/secrets/rotate`)
    if (rotated.data.client_secret) return rotated.data.client_secret
  }
  const secret = randomSecret()
  const patched = await call<OAuth2Client>('PATCH', `/admin/clients/${enc(clientId)}`, { json: [{ op: 'add', path: '/client_secret', value: secret }] })
  return patched.data.client_secret ?? secret
}
