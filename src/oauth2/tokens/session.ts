// A token's session (Hydra's session_data) is sealed before it reaches the store: it can carry
// claims about the subject that a database reader has no business seeing (unless the operator
// turned oauth2.session.encrypt_at_rest off: crypto/session-data.ts).
import type { SessionSealer } from '../../crypto/session-data.js'
import type { StoredToken, TokenRecord, TokenSession } from '../store.js'

// Bound as associated data: a value sealed for another use cannot be passed off as a session.
const PURPOSE = 'session'

export class SessionCodec {
  constructor(private readonly aead: SessionSealer) {}

  seal(record: TokenRecord): StoredToken {
    const { session, ...rest } = record
    return { ...rest, sessionData: this.aead.seal(JSON.stringify(session), PURPOSE) }
  }

  /** undefined when no configured secret opens the session (e.g. its secret was retired). */
  open(stored: StoredToken): TokenRecord | undefined {
    const { sessionData, ...rest } = stored
    let session: Partial<TokenSession>
    try {
      session = JSON.parse(this.aead.open(sessionData, PURPOSE).toString('utf8')) as Partial<TokenSession>
    } catch {
      return undefined
    }
    return { ...rest, session: { ...session, ext: session.ext ?? {} } }
  }
}
