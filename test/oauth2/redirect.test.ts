// Redirect URI matching: exact strings, plus RFC 8252 §7.3's any-port loopback rule.
import { describe, expect, it } from 'vitest'
import { identifiesClient, isSecureRedirectUri, isValidRedirectUri, matchRedirectUri } from '../../src/oauth2/redirect.js'

const REGISTERED = ['https://app.example.com/cb', 'https://app.example.com/cb2?tenant=a', 'http://127.0.0.1/native', 'http://[::1]:8080/v6', 'com.example.app:/oauth']

describe('matchRedirectUri', () => {
  it('matches registered URIs exactly', () => {
    for (const uri of REGISTERED) expect(matchRedirectUri(uri, REGISTERED)).toBe(uri)
  })

  it('does no prefix, case, slash or query matching', () => {
    for (const uri of [
      'https://app.example.com/cb/',
      'https://app.example.com/cb/more',
      'https://app.example.com/c',
      'https://APP.example.com/cb',
      'https://app.example.com/cb?x=1',
      'https://app.example.com/cb2',
      'https://app.example.com/cb2?tenant=b',
      'https://app.example.com:443/cb',
      'com.example.app:/oauth/x',
    ]) {
      expect(matchRedirectUri(uri, REGISTERED), uri).toBeUndefined()
    }
  })

  it('lets a loopback redirect use any port, with the same host, path and query', () => {
    expect(matchRedirectUri('http://127.0.0.1:51004/native', REGISTERED)).toBe('http://127.0.0.1:51004/native')
    expect(matchRedirectUri('http://[::1]:1234/v6', REGISTERED)).toBe('http://[::1]:1234/v6')
    expect(matchRedirectUri('http://[::1]/v6', REGISTERED)).toBe('http://[::1]/v6')
    expect(matchRedirectUri('http://127.0.0.1:51004/native/x', REGISTERED)).toBeUndefined()
    expect(matchRedirectUri('http://127.0.0.1:51004/native?x=1', REGISTERED)).toBeUndefined()
    expect(matchRedirectUri('http://127.0.0.2:51004/native', REGISTERED)).toBeUndefined()
    expect(matchRedirectUri('http://[::1]:1234/native', REGISTERED)).toBeUndefined()
    // Only IP literals: "localhost" can be resolved elsewhere (RFC 8252 §8.3); https is not loopback.
    expect(matchRedirectUri('http://localhost:51004/native', REGISTERED)).toBeUndefined()
    expect(matchRedirectUri('https://127.0.0.1:51004/native', REGISTERED)).toBeUndefined()
    expect(matchRedirectUri('http://127.0.0.1:99999/native', REGISTERED)).toBeUndefined()
  })
})

describe('redirect URI properties', () => {
  it('refuses fragments and relative or broken URIs', () => {
    expect(isValidRedirectUri('https://app.example.com/cb')).toBe(true)
    expect(isValidRedirectUri('com.example.app:/oauth')).toBe(true)
    expect(isValidRedirectUri('https://app.example.com/cb#x')).toBe(false)
    expect(isValidRedirectUri('/cb')).toBe(false)
    expect(isValidRedirectUri('https:/app.example.com')).toBe(false)
    expect(isValidRedirectUri('https://app.example.com/c b')).toBe(false)
  })

  it('counts https, local http and private-use schemes as secure', () => {
    expect(isSecureRedirectUri('https://app.example.com/cb')).toBe(true)
    expect(isSecureRedirectUri('http://127.0.0.1:5000/cb')).toBe(true)
    expect(isSecureRedirectUri('http://app.localhost/cb')).toBe(true)
    expect(isSecureRedirectUri('com.example.app:/oauth')).toBe(true)
    expect(isSecureRedirectUri('http://app.example.com/cb')).toBe(false)
    expect(identifiesClient('com.example.app:/oauth')).toBe(false)
    expect(identifiesClient('http://[::1]:5000/cb')).toBe(true)
  })
})
