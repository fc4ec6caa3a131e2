// A token's session (Hydra's session_data) is sealed before it reaches the store: it can carry
// claims about the subject that a database reader has no business seeing (unless the operator
// turned oauth2.session.encrypt_at_rest off: crypto/session-data.ts).
import type { SessionSealer } from '../../crypto/session-data.js'
import type { StoredToken, TokenRecord, TokenSession } from '../store.js'

// Bound as associated data: a value sealed for another use cannot be passed off as a session.
const PURPOSE = 'session'

/**
 * The stored form of a session that holds nothing: no extra claims, no OpenID Connect session, no
 * signing key id, no actor (every client_credentials token without a token hook). There is nothing
 * in it to hide, so it is written as this plaintext JSON (which every reader accepts, as with
 * oauth2.session.encrypt_at_rest off) and the two AES-GCM operations per token are saved.
 */
export const EMPTY_SESSION = '{"ext":{}}'

function isEmpty(session: TokenSession): boolean {
  for (const key in session) {
    if (key !== 'ext' && (session as unknown as Record<string, unknown>)[key] !== undefined) return false
  }
  for (const _ in session.ext) return false
  return true
}

export class SessionCodec {
  constructor(private readonly aead: SessionSealer) {}

  seal(record: TokenRecord): StoredToken {
    const { session, ...rest } = record
    return { ...rest, sessionData: isEmpty(session) ? EMPTY_SESSION : this.aead.seal(JSON.stringify(session), PURPOSE) }
  }

  /** undefined when no configured secret opens the session (e.g. its secret was retired). */
  open(stored: StoredToken): TokenRecord | undefined {
    const { sessionData, ...rest } = stored
    if (sessionData === EMPTY_SESSION) return { ...rest, session: { ext: {} } }
    let session: Partial<TokenSession>
    try {
      session = JSON.parse(this.aead.open(sessionData, PURPOSE).toString('utf8')) as Partial<TokenSession>
    } catch {
      return undefined
    }
    return { ...rest, session: { ...session, ext: session.ext ?? {} } }
  }
}
