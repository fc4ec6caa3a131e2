// bcrypt runs on worker threads: the event loop stays free while a secret is checked, the results
// are bcryptjs's own, and the pool never runs more computations at once than it has threads.
import { performance } from 'node:perf_hooks'
import bcrypt from 'bcryptjs'
import { afterAll, describe, expect, it } from 'vitest'
import { BcryptPool } from '../../src/crypto/bcrypt-pool.js'
import { createHasher, type HasherConfig } from '../../src/crypto/hasher.js'
import { OAuthError } from '../../src/oauth2/errors.js'
import { appsOn } from '../support/app.js'

const bcryptConfig = (cost: number): HasherConfig => ({ algorithm: 'bcrypt', bcrypt: { cost }, pbkdf2: { iterations: 1000 } })

/**
 * Runs `work` while a 10 ms timer is armed again and again; returns each timer's delay beyond
 * its 10 ms and the share of wall time the main thread's event loop was busy.
 */
async function whileWatching<T>(work: () => Promise<T>): Promise<{ result: T; lags: number[]; utilization: number; settled: boolean[] }> {
  const lags: number[] = []
  const settled: boolean[] = []
  let done = false
  const tick = (): void => {
    const armed = performance.now()
    setTimeout(() => {
      lags.push(performance.now() - armed - 10)
      settled.push(done)
      if (!done) tick()
    }, 10)
  }
  const before = performance.eventLoopUtilization()
  tick()
  const result = await work().finally(() => {
    done = true
  })
  const utilization = performance.eventLoopUtilization(before).utilization
  return { result, lags, utilization, settled }
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Infinity
}

describe('bcrypt off the event loop', () => {
  const hasher = createHasher(bcryptConfig(12))
  afterAll(() => hasher.close())

  it('keeps timers firing on time while a cost-12 check runs', async () => {
    const encoded = await hasher.hash('a-client-secret')
    const { result, lags, utilization, settled } = await whileWatching(() => hasher.verify('a-client-secret', encoded))
    expect(result).toBe(true)
    // The check was still running when the first timers fired (they measured the check, not the idle loop after it).
    expect(settled[0]).toBe(false)
    expect(lags.length).toBeGreaterThan(5)
    // On the main thread, bcryptjs works in slices of about 100 ms: a 10 ms timer waits a whole slice.
    const first = lags[0] ?? Infinity
    expect(first, `first timer late by ${first.toFixed(1)} ms`).toBeLessThan(50)
    expect(median(lags), `timer lags ${lags.map((l) => l.toFixed(0)).join(',')}`).toBeLessThan(50)
    // The main thread was mostly idle: the hashing happened elsewhere.
    expect(utilization).toBeLessThan(0.5)
  })
})

describe('results are bcryptjs results', () => {
  const hasher = createHasher(bcryptConfig(4))
  afterAll(() => hasher.close())

  it('hashes what bcryptjs verifies and verifies what bcryptjs hashes', async () => {
    const encoded = await hasher.hash('s3cret-value')
    expect(encoded).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/)
    expect(bcrypt.compareSync('s3cret-value', encoded)).toBe(true)
    expect(await hasher.verify('s3cret-value', encoded)).toBe(true)
    expect(await hasher.verify('s3cret-valuE', encoded)).toBe(false)
    expect(await hasher.verify('', encoded)).toBe(false)
  })

  it('verifies Hydra-style $2a$ and $2b$ hashes and rejects wrong secrets', async () => {
    for (const prefix of ['2a', '2b'] as const) {
      // Go's bcrypt (Hydra) writes $2a$; bcryptjs writes $2b$. Same salt characters, either prefix.
      const encoded = bcrypt.hashSync('hydra-secret', `$${prefix}$05$${bcrypt.genSaltSync(5).slice(7)}`)
      expect(encoded.startsWith(`$${prefix}$05$`)).toBe(true)
      expect(await hasher.verify('hydra-secret', encoded)).toBe(true)
      expect(await hasher.verify('hydra-secreT', encoded)).toBe(false)
    }
  })

  it('treats a malformed bcrypt hash as no match', async () => {
    expect(await hasher.verify('x', '$2b$04$tooshort')).toBe(false)
  })
})

describe('the pool bound', () => {
  it('never runs more computations at once than it has threads, and every caller gets its answer', async () => {
    const pool = new BcryptPool({ size: 2 })
    try {
      const seen: number[] = []
      const sampler = setInterval(() => seen.push(pool.running), 2)
      const salt = bcrypt.genSaltSync(6)
      const secrets = Array.from({ length: 8 }, (_, i) => `secret-${i}`)
      const hashes = await Promise.all(secrets.map((s) => pool.hash(s, salt)))
      clearInterval(sampler)
      expect(hashes).toEqual(secrets.map((s) => bcrypt.hashSync(s, salt)))
      expect(pool.peakRunning).toBe(2)
      expect(Math.max(...seen)).toBeLessThanOrEqual(2)
      expect(pool.running).toBe(0)
    } finally {
      await pool.close()
    }
  })

  it('refuses work past the waiting bound instead of queueing without end', async () => {
    const pool = new BcryptPool({ size: 1, maxQueued: 2 })
    try {
      const salt = bcrypt.genSaltSync(4)
      const accepted = [pool.hash('a', salt), pool.hash('b', salt), pool.hash('c', salt)]
      await expect(pool.hash('d', salt)).rejects.toThrow('too many bcrypt computations are waiting')
      expect(await Promise.all(accepted)).toEqual(['a', 'b', 'c'].map((s) => bcrypt.hashSync(s, salt)))
    } finally {
      await pool.close()
    }
  })

  it('answers an overloaded hasher with temporarily_unavailable, not a false "no match"', async () => {
    const hasher = createHasher(bcryptConfig(4), { size: 1, maxQueued: 0 })
    try {
      const encoded = bcrypt.hashSync('x', 4)
      const first = hasher.verify('x', encoded)
      const second = await hasher.verify('x', encoded).catch((e: unknown) => e)
      expect(second).toBeInstanceOf(OAuthError)
      expect((second as OAuthError).status).toBe(503)
      expect((second as OAuthError).error).toBe('temporarily_unavailable')
      expect(await first).toBe(true)
    } finally {
      await hasher.close()
    }
  })
})

describe('an unknown client at the token endpoint with bcrypt', () => {
  it('is invalid_client and leaves the event loop free while its decoy is checked', async () => {
    const apps = await appsOn('memory', { OAUTH2_HASHERS_ALGORITHM: 'bcrypt', OAUTH2_HASHERS_BCRYPT_COST: '11' })
    try {
      const request = () =>
        apps.public.inject({
          method: 'POST',
          url: '/oauth2/token',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from('no-such-client:some-secret').toString('base64')}`,
          },
          payload: 'grant_type=client_credentials',
        })
      const { result: res, lags, utilization, settled } = await whileWatching(request)
      expect(res.statusCode, res.body).toBe(401)
      expect((res.json() as { error: string }).error).toBe('invalid_client')
      expect(settled[0]).toBe(false)
      expect(median(lags), `timer lags ${lags.map((l) => l.toFixed(0)).join(',')}`).toBeLessThan(50)
      expect(utilization).toBeLessThan(0.5)
    } finally {
      await apps.close()
    }
  })
})
