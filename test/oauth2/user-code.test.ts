// oauth2.device_authorization.user_code: Hydra's entropy presets (their alphabets and lengths),
// an operator's length and character set, and Orthrus' default when neither is set.
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/loader.js'
import { DEFAULT_USER_CODES, userCodeFormat } from '../../src/oauth2/user-code.js'

const draw = (f: ReturnType<typeof userCodeFormat>, n = 300) => Array.from({ length: n }, () => f.generate())

describe('user code formats', () => {
  it("follow Hydra's presets: high, medium and low", () => {
    const high = userCodeFormat({ entropy_preset: 'high' })
    expect(high.alphabet).toBe('abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679')
    for (const code of draw(high)) expect(code).toMatch(/^[abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679]{8}$/)
    for (const code of draw(userCodeFormat({ entropy_preset: 'medium' }))) expect(code).toMatch(/^[A-Z]{8}$/)
    for (const code of draw(userCodeFormat({ entropy_preset: 'low' }))) expect(code).toMatch(/^[0-9]{9}$/)
  })

  it('take a length and character set instead', () => {
    const custom = userCodeFormat({ length: 12, character_set: 'ABCDEFGH' })
    for (const code of draw(custom)) expect(code).toMatch(/^[A-H]{12}$/)
  })

  it('normalise typed codes: case folded only for one-case alphabets, dashes and spaces dropped', () => {
    const high = userCodeFormat({ entropy_preset: 'high' })
    expect(high.normalize('aCc4-dEf7')).toBe('aCc4dEf7')
    expect(high.normalize('ACD4DEF7')).toBe('ACD4DEF7')
    // Case matters in a mixed-case alphabet: a folded code is another code (or none at all).
    expect(high.normalize('abc4def7')).toBe('abc4def7')
    expect(high.normalize('aCc0dEf7')).toBeUndefined() // 0 is not in the alphabet
    const medium = userCodeFormat({ entropy_preset: 'medium' })
    expect(medium.normalize('abcd efgh')).toBe('ABCDEFGH')
    const low = userCodeFormat({ entropy_preset: 'low' })
    expect(low.normalize('123-456-789')).toBe('123456789')
    expect(low.normalize('12345678')).toBeUndefined()
    // Presets are shown as Hydra shows them; the default keeps XXXX-XXXX.
    expect(low.display('123456789')).toBe('123456789')
    expect(DEFAULT_USER_CODES.generate()).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)
    expect(userCodeFormat({})).toBe(DEFAULT_USER_CODES)
  })

  it("are configured as Hydra's oneOf: a preset, or both length and character_set", () => {
    const env = { DSN: 'memory', URLS_SELF_ISSUER: 'https://auth.example.com/', SECRETS_SYSTEM: 'system-secret-0123456789' }
    const base = 'OAUTH2_DEVICE_AUTHORIZATION_USER_CODE_'
    expect(loadConfig({ env: { ...env, [`${base}ENTROPY_PRESET`]: 'low' } }).config.oauth2.device_authorization.user_code).toEqual({ entropy_preset: 'low' })
    expect(() => loadConfig({ env: { ...env, [`${base}ENTROPY_PRESET`]: 'extreme' } })).toThrow(/must be one of high, medium, low/)
    expect(() => loadConfig({ env: { ...env, [`${base}ENTROPY_PRESET`]: 'low', [`${base}LENGTH`]: '8' } })).toThrow(/sets entropy_preset and length/)
    expect(() => loadConfig({ env: { ...env, [`${base}LENGTH`]: '8' } })).toThrow(/needs both length and character_set/)
    expect(() => loadConfig({ env: { ...env, [`${base}LENGTH`]: '5', [`${base}CHARACTER_SET`]: 'ABCDEFGH' } })).toThrow(/length = 5 must be an integer between 6/)
    expect(() => loadConfig({ env: { ...env, [`${base}LENGTH`]: '8', [`${base}CHARACTER_SET`]: 'AAAABBBB' } })).toThrow(/at least 8 different characters/)
  })
})
