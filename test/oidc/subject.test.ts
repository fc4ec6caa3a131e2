import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { pairwiseSubject, rawHost, subjectFor } from '../../src/oidc/subject.js'

const sha = (s: string) => createHash('sha256').update(s).digest('hex')

describe('pairwise subject identifiers (OpenID Connect Core §8.1, as Hydra computes them)', () => {
  const client = { subject_type: 'pairwise', sector_identifier_uri: '', redirect_uris: ['https://App.example.com:443/cb'] }

  it('hashes host + subject + salt of the only redirect URI, hex encoded', () => {
    // Go's url.Host keeps the case and an explicit default port.
    expect(rawHost('https://App.example.com:443/cb')).toBe('App.example.com:443')
    expect(rawHost('https://user:pw@a.example/x')).toBe('a.example')
    expect(pairwiseSubject(client, 'alice', 'salty-salt')).toBe(sha('App.example.com:443alicesalty-salt'))
  })

  it('prefers the sector_identifier_uri host, and needs one when there are several redirect hosts', () => {
    const sector = { ...client, sector_identifier_uri: 'https://sector.example/ids.json', redirect_uris: ['https://a/cb', 'https://b/cb'] }
    expect(pairwiseSubject(sector, 'alice', 'salty-salt')).toBe(sha('sector.examplealicesalty-salt'))
    expect(() => pairwiseSubject({ ...sector, sector_identifier_uri: '' }, 'alice', 'salty-salt')).toThrow()
  })

  it('differs per sector and per salt, and is stable', () => {
    const other = { ...client, redirect_uris: ['https://other.example/cb'] }
    expect(pairwiseSubject(client, 'alice', 's1s1s1s1')).not.toBe(pairwiseSubject(other, 'alice', 's1s1s1s1'))
    expect(pairwiseSubject(client, 'alice', 's1s1s1s1')).not.toBe(pairwiseSubject(client, 'alice', 's2s2s2s2'))
    expect(pairwiseSubject(client, 'alice', 's1s1s1s1')).toBe(pairwiseSubject(client, 'alice', 's1s1s1s1'))
  })

  it('leaves public clients alone and lets a forced identifier win for pairwise ones', () => {
    expect(subjectFor({ ...client, subject_type: 'public' }, 'alice', 'forced', 'salty-salt')).toBe('alice')
    expect(subjectFor(client, 'alice', 'forced', 'salty-salt')).toBe('forced')
    expect(subjectFor(client, 'alice', '', 'salty-salt')).toBe(sha('App.example.com:443alicesalty-salt'))
  })
})
