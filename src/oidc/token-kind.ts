// Tokens of different kinds are signed by this server with keys of the same sets (ID tokens,
// back-channel logout tokens and signed userinfo answers all use the ID token keys), so a valid
// signature does not say what a token is. The JOSE `typ` header and the claims that only one kind
// carries do: a logout token is `logout+jwt` with an `events` claim (Back-Channel Logout 1.0
// §2.4), a JWT access token `at+jwt` (RFC 9068 §2.1), an ID token `JWT` (or no typ) with `exp`
// (OpenID Connect Core §2), a signed userinfo answer has no `exp`. Every place that accepts one
// of our own tokens asks here first (RFC 8725 §3.11).
import { decodeProtectedHeader, type JWTPayload } from 'jose'

const typOf = (token: string): string | undefined => {
  try {
    const typ = decodeProtectedHeader(token).typ
    return typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : undefined
  } catch {
    return 'unreadable'
  }
}

/** Whether a signature-checked token is an ID token, not a logout token, access token or userinfo answer. */
export function isIdToken(token: string, claims: JWTPayload): boolean {
  const typ = typOf(token)
  if (typ !== undefined && typ !== 'jwt') return false
  return claims.events === undefined && typeof claims.exp === 'number'
}

/**
 * Whether a signature-checked JWT may be taken for an access token: `at+jwt`, or the generic `JWT`
 * of access tokens minted before RFC 9068 headers; never a kind-naming typ like `logout+jwt`.
 */
export function mayBeAccessToken(token: string, claims: JWTPayload): boolean {
  const typ = typOf(token)
  if (typ !== undefined && typ !== 'at+jwt' && typ !== 'jwt') return false
  return claims.events === undefined
}
