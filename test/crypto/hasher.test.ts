import { pbkdf2, pbkdf2Sync, timingSafeEqual } from 'node:crypto'
import bcrypt from 'bcryptjs'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createHasher } from '../../src/crypto/hasher.js'
import type { HasherConfig } from '../../src/crypto/hasher.js'

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>()
  return {
    ...actual,
    pbkdf2: vi.fn(actual.pbkdf2),
    pbkdf2Sync: vi.fn(actual.pbkdf2Sync),
    timingSafeEqual: vi.fn(actual.timingSafeEqual),
  }
})

const config = (algorithm: 'pbkdf2' | 'bcrypt', iterations = 1000, cost = 4): HasherConfig => ({
  algorithm,
  bcrypt: { cost },
  pbkdf2: { iterations },
})

const pbkdf2Hasher = createHasher(config('pbkdf2'))
const bcryptHasher = createHasher(config('bcrypt'))

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '')

/** A hash in Hydra's format, built independently of the implementation. */
function hydraPbkdf2(secret: string, iterations: number, salt = Buffer.alloc(16, 7)): string {
  const key = pbkdf2Sync(secret, salt, iterations, 32, 'sha256')
  return `$pbkdf2-sha256$i=${iterations},l=32$${b64(salt)}$${b64(key)}`
}

beforeEach(() => {
  vi.mocked(timingSafeEqual).mockClear()
  vi.mocked(pbkdf2).mockClear()
  vi.mocked(pbkdf2Sync).mockClear()
})

describe('pbkdf2', () => {
  it('encodes as $pbkdf2-sha256$i=<n>,l=32$<salt>$<hash> in unpadded base64', async () => {
    const h = await pbkdf2Hasher.hash('s3cr3t-value')
    const m = /^\$pbkdf2-sha256\$i=1000,l=32\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(h)
    expect(m).not.toBeNull()
    expect(Buffer.from(m?.[1] ?? '', 'base64')).toHaveLength(16)
    expect(Buffer.from(m?.[2] ?? '', 'base64')).toHaveLength(32)
  })

  it('round-trips, and rejects a wrong secret', async () => {
    const h = await pbkdf2Hasher.hash('s3cr3t-value')
    expect(await pbkdf2Hasher.verify('s3cr3t-value', h)).toBe(true)
    expect(await pbkdf2Hasher.verify('s3cr3t-valuE', h)).toBe(false)
    expect(await pbkdf2Hasher.verify('', h)).toBe(false)
  })

  it('salts every hash differently', async () => {
    expect(await pbkdf2Hasher.hash('same')).not.toBe(await pbkdf2Hasher.hash('same'))
  })

  it('uses the async pbkdf2, never pbkdf2Sync', async () => {
    await pbkdf2Hasher.verify('x', await pbkdf2Hasher.hash('x'))
    expect(pbkdf2).toHaveBeenCalledTimes(2)
    expect(pbkdf2Sync).not.toHaveBeenCalled()
  })

  it('verifies hashes written by Hydra', async () => {
    expect(await pbkdf2Hasher.verify('hydra-secret', hydraPbkdf2('hydra-secret', 25_000))).toBe(true)
  })

  it('uses the iteration count stored in the hash, not the configured one', async () => {
    const stored = hydraPbkdf2('secret', 1)
    expect(await createHasher(config('pbkdf2', 5000)).verify('secret', stored)).toBe(true)
    expect(await pbkdf2Hasher.verify('secret', await createHasher(config('pbkdf2', 1)).hash('secret'))).toBe(true)
  })
})

describe('bcrypt', () => {
  it('round-trips with the configured cost, and rejects a wrong secret', async () => {
    const h = await bcryptHasher.hash('s3cr3t-value')
    expect(h).toMatch(/^\$2[ab]\$04\$[./A-Za-z0-9]{53}$/)
    expect(await bcryptHasher.verify('s3cr3t-value', h)).toBe(true)
    expect(await bcryptHasher.verify('s3cr3t-valuE', h)).toBe(false)
  })

  it('verifies a standard test vector ($2a$, cost 5)', async () => {
    expect(await bcryptHasher.verify('U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW')).toBe(true)
  })

  it('uses the cost stored in the hash', async () => {
    const stored = bcrypt.hashSync('secret', 5)
    expect(await bcryptHasher.verify('secret', stored)).toBe(true)
  })

  it('refuses to hash secrets longer than 72 bytes rather than hash a prefix of them', async () => {
    await expect(bcryptHasher.hash('a'.repeat(72))).resolves.toMatch(/^\$2/)
    for (const secret of ['a'.repeat(73), '€'.repeat(25)]) {
      await expect(bcryptHasher.hash(secret)).rejects.toThrow(RangeError)
    }
  })

  it('leaves long secrets alone when pbkdf2 is configured', async () => {
    const long = 'a'.repeat(200)
    expect(await pbkdf2Hasher.verify(long, await pbkdf2Hasher.hash(long))).toBe(true)
  })
})

describe('switching algorithms', () => {
  it('verifies bcrypt hashes when pbkdf2 is configured', async () => {
    expect(await pbkdf2Hasher.verify('old-secret', await bcryptHasher.hash('old-secret'))).toBe(true)
    expect(await pbkdf2Hasher.verify('wrong', await bcryptHasher.hash('old-secret'))).toBe(false)
  })

  it('verifies pbkdf2 hashes when bcrypt is configured', async () => {
    expect(await bcryptHasher.verify('old-secret', await pbkdf2Hasher.hash('old-secret'))).toBe(true)
    expect(await bcryptHasher.verify('wrong', await pbkdf2Hasher.hash('old-secret'))).toBe(false)
  })
})

describe('verify', () => {
  it('compares with crypto.timingSafeEqual for both formats', async () => {
    await pbkdf2Hasher.verify('secret', await pbkdf2Hasher.hash('secret'))
    expect(timingSafeEqual).toHaveBeenCalledTimes(1)
    await pbkdf2Hasher.verify('secret', await bcryptHasher.hash('secret'))
    expect(timingSafeEqual).toHaveBeenCalledTimes(2)
  })

  const good = hydraPbkdf2('secret', 10)
  const [, , params = '', salt = '', key = ''] = good.split('$')
  const malformed: Record<string, string> = {
    empty: '',
    plaintext: 'secret',
    'unknown scheme': '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
    'pbkdf2 with another digest': good.replace('sha256', 'sha512'),
    'zero iterations': `$pbkdf2-sha256$i=0,l=32$${salt}$${key}`,
    'iterations beyond int32': `$pbkdf2-sha256$i=9999999999,l=32$${salt}$${key}`,
    'non-numeric iterations': `$pbkdf2-sha256$i=ten,l=32$${salt}$${key}`,
    'length not matching the hash': `$pbkdf2-sha256$i=10,l=31$${salt}$${key}`,
    'hash shorter than 32 bytes': `$pbkdf2-sha256$i=10,l=32$${salt}$${key.slice(0, -2)}`,
    'padded base64': `${good}=`,
    'invalid base64': `$pbkdf2-sha256$${params}$${salt}$${key.slice(0, -1)}!`,
    'missing hash part': `$pbkdf2-sha256$${params}$${salt}`,
    'truncated bcrypt': '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe',
    'bcrypt cost out of range': '$2a$99$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW',
    'bcrypt cost below minimum': '$2a$01$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW',
    'unknown bcrypt version': '$2z$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW',
  }
  for (const [name, encoded] of Object.entries(malformed)) {
    it(`returns false without throwing or deriving a key for a malformed hash: ${name}`, async () => {
      await expect(pbkdf2Hasher.verify('secret', encoded)).resolves.toBe(false)
      await expect(bcryptHasher.verify('secret', encoded)).resolves.toBe(false)
      expect(pbkdf2).not.toHaveBeenCalled()
    })
  }

  it('accepts the well-formed hash the malformed cases are derived from', async () => {
    expect(await pbkdf2Hasher.verify('secret', good)).toBe(true)
  })
})
