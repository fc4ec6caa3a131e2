// id_token_hint (OpenID Connect Core §3.1.2.1): an ID token this server issued earlier, naming
// the end-user the client expects. Its signature must verify against our ID token keys; it may
// have expired (the hint is about a past session, and Hydra accepts expired hints too).
import { errors } from 'jose'
import { ID_TOKEN_SET, type KeyRing } from '../jwk/keyring.js'
import { invalidRequest } from '../oauth2/errors.js'
import { isIdToken } from '../oidc/token-kind.js'

export async function idTokenHintClaims(
  keyRing: Pick<KeyRing, 'verify'> | undefined,
  hint: string,
): Promise<Record<string, unknown>> {
  const failed = invalidRequest(
    'Failed to validate OpenID Connect request as decoding id token from id_token_hint parameter failed.',
  )
  if (!keyRing) throw failed
  let claims: Record<string, unknown>
  try {
    claims = (await keyRing.verify(ID_TOKEN_SET, hint)).payload
  } catch (e) {
    // jose checks exp only after the signature verified, so the payload is authentic.
    if (!(e instanceof errors.JWTExpired)) throw failed
    claims = e.payload
  }
  // A logout token or a signed userinfo answer verifies with the same keys: not a hint.
  if (!isIdToken(hint, claims)) throw failed
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw invalidRequest(
      'Failed to validate OpenID Connect request because provided id token from id_token_hint does not have a subject.',
    )
  }
  return claims
}
