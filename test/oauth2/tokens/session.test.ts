import { describe, expect, it } from 'vitest'
import { Aead } from '../../../src/crypto/aead.js'
import type { TokenRecord } from '../../../src/oauth2/store.js'
import { EMPTY_SESSION, SessionCodec } from '../../../src/oauth2/tokens/session.js'

const record: TokenRecord = {
  signature: 'sig',
  requestId: 'req',
  requestedAt: new Date(1_700_000_000_000),
  clientId: 'c',
  requestedScope: [],
  grantedScope: [],
  requestedAudience: [],
  grantedAudience: [],
  form: {},
  session: { ext: { tenant: 'secret-tenant-value' }, kid: 'k1' },
  subject: 'c',
  active: true,
  challengeId: null,
  expiresAt: null,
}

describe('token sessions at rest', () => {
  const codec = new SessionCodec(new Aead(['a-test-system-secret-of-32-chars!']))

  it('are sealed before storage and opened again', () => {
    const stored = codec.seal(record)
    expect(stored.sessionData).not.toContain('secret-tenant-value')
    expect('session' in stored).toBe(false)
    expect(codec.open(stored)).toEqual(record)
  })

  it('open with a rotated secret list, and not at all once the secret is gone', () => {
    const stored = codec.seal(record)
    expect(new SessionCodec(new Aead(['a-newer-system-secret-32-chars!!', 'a-test-system-secret-of-32-chars!'])).open(stored)).toEqual(record)
    expect(new SessionCodec(new Aead(['a-newer-system-secret-32-chars!!'])).open(stored)).toBeUndefined()
    expect(codec.open({ ...stored, sessionData: 'garbage' })).toBeUndefined()
  })

  it('store a session that holds nothing as plaintext, and seal one that holds anything', () => {
    const empty = codec.seal({ ...record, session: { ext: {} } })
    expect(empty.sessionData).toBe(EMPTY_SESSION)
    expect(codec.open(empty)).toEqual({ ...record, session: { ext: {} } })
    for (const session of [{ ext: { a: 1 } }, { ext: {}, kid: 'k1' }, { ext: {}, act: { sub: 'actor' } }]) {
      const stored = codec.seal({ ...record, session })
      expect(stored.sessionData.startsWith('{'), JSON.stringify(session)).toBe(false)
      expect(codec.open(stored)?.session).toEqual(session)
    }
  })
})
