// A PKCS#11 token (hsm.*) reached through pkcs11js: the library is loaded once per process and
// path, the token is found by label (which wins, as in Hydra's crypto11 set-up) or slot, and one
// login serves a small pool of sessions (PKCS#11 v2.40 §5.6: login state is per application and
// token). Imported dynamically by src/jwk/hsm.ts, only when hsm.enabled is true.
import { createRequire } from 'node:module'
import type * as Pkcs11js from 'pkcs11js'
import type { HsmConfig } from '../config/types.js'

const require = createRequire(import.meta.url)

export type Pkcs11Module = typeof Pkcs11js
export type Handle = Buffer

/** The token cannot be used; the message is one line for the operator, never the PIN. */
export class HsmError extends Error {
  override name = 'HsmError'
}

// Signing sessions: concurrent signatures without one operation waiting for another's C_Sign.
const SESSION_POOL = 4

interface LoadedLibrary {
  module: Pkcs11Module
  pkcs11: Pkcs11js.PKCS11
  users: number
}

const libraries = new Map<string, LoadedLibrary>()

function loadLibrary(path: string): LoadedLibrary {
  let lib = libraries.get(path)
  if (!lib) {
    const module = require('pkcs11js') as Pkcs11Module
    const pkcs11 = new module.PKCS11()
    try {
      pkcs11.load(path)
      pkcs11.C_Initialize()
    } catch (e) {
      throw new HsmError(`hsm.library ${path} cannot be loaded as a PKCS#11 library: ${reason(e)}`)
    }
    lib = { module, pkcs11, users: 0 }
    libraries.set(path, lib)
  }
  lib.users++
  return lib
}

function releaseLibrary(path: string): void {
  const lib = libraries.get(path)
  if (!lib || --lib.users > 0) return
  libraries.delete(path)
  try {
    lib.pkcs11.C_Finalize()
    lib.pkcs11.close()
  } catch {
    // Finalizing is best effort: the process is usually on its way out.
  }
}

function reason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'unknown error'
}

/** The PKCS#11 return value name of an error (CKR_PIN_INCORRECT, ...), when it is one. */
export function ckr(module: Pkcs11Module, e: unknown): string | undefined {
  const code = (e as { code?: unknown }).code
  if (typeof code !== 'number') return undefined
  const name = Object.entries(module).find(([k, v]) => k.startsWith('CKR_') && v === code)?.[0]
  return name ?? `0x${code.toString(16)}`
}

export class HsmToken {
  private readonly free: Handle[] = []
  private readonly waiting: Array<(s: Handle) => void> = []
  private closed = false

  private constructor(
    readonly module: Pkcs11Module,
    readonly pkcs11: Pkcs11js.PKCS11,
    private readonly libraryPath: string,
    /** The session administrative operations (find, generate, delete) run on. */
    readonly session: Handle,
    signing: Handle[],
    readonly description: string,
  ) {
    this.free.push(...signing)
  }

  /** Opens and logs in to the configured token; throws HsmError with one line on any failure. */
  static open(config: HsmConfig): HsmToken {
    const path = config.library ?? ''
    const { module, pkcs11 } = loadLibrary(path)
    try {
      const { slot, description } = findSlot(pkcs11, config)
      const flags = module.CKF_SERIAL_SESSION | module.CKF_RW_SESSION
      const session = pkcs11.C_OpenSession(slot, flags)
      try {
        pkcs11.C_Login(session, module.CKU_USER, config.pin ?? '')
      } catch (e) {
        const code = ckr(module, e)
        if (code === 'CKR_PIN_INCORRECT' || code === 'CKR_PIN_INVALID' || code === 'CKR_PIN_LEN_RANGE') {
          throw new HsmError(`hsm.pin is wrong: ${description} refused the login (${code})`)
        }
        if (code === 'CKR_PIN_LOCKED') throw new HsmError(`hsm.pin: ${description} is locked after too many wrong PINs (${code})`)
        if (code !== 'CKR_USER_ALREADY_LOGGED_IN') throw new HsmError(`cannot log in to ${description}: ${code ?? reason(e)}`)
      }
      const signing = Array.from({ length: SESSION_POOL }, () => pkcs11.C_OpenSession(slot, flags))
      return new HsmToken(module, pkcs11, path, session, signing, description)
    } catch (e) {
      releaseLibrary(path)
      throw e instanceof HsmError ? e : new HsmError(`the HSM at ${path} cannot be used: ${ckr(module, e) ?? reason(e)}`)
    }
  }

  /** Runs `fn` on a signing session of its own. */
  async withSession<T>(fn: (session: Handle) => Promise<T>): Promise<T> {
    const session = this.free.pop() ?? (await new Promise<Handle>((resolve) => this.waiting.push(resolve)))
    try {
      return await fn(session)
    } finally {
      const next = this.waiting.shift()
      if (next) next(session)
      else this.free.push(session)
    }
  }

  /** Object handles matching the template (all of them). */
  find(template: Pkcs11js.Template): Handle[] {
    this.pkcs11.C_FindObjectsInit(this.session, template)
    try {
      const found: Handle[] = []
      for (;;) {
        const batch = this.pkcs11.C_FindObjects(this.session, 64)
        found.push(...batch)
        if (batch.length < 64) return found
      }
    } finally {
      this.pkcs11.C_FindObjectsFinal(this.session)
    }
  }

  attributes(object: Handle, types: number[]): Map<number, Buffer> {
    const got = this.pkcs11.C_GetAttributeValue(this.session, object, types.map((type) => ({ type })))
    return new Map(got.map((a) => [a.type, Buffer.isBuffer(a.value) ? a.value : Buffer.alloc(0)]))
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    try {
      this.pkcs11.C_Logout(this.session)
    } catch {
      // Already logged out, or the token went away: nothing to undo.
    }
    for (const s of [this.session, ...this.free]) {
      try {
        this.pkcs11.C_CloseSession(s)
      } catch {
        // As above.
      }
    }
    releaseLibrary(this.libraryPath)
  }
}

// Hydra: a token label wins over the slot; then the first slot whose token has that label.
function findSlot(pkcs11: Pkcs11js.PKCS11, config: HsmConfig): { slot: Handle; description: string } {
  const slots = pkcs11.C_GetSlotList(true)
  const label = config.token_label ?? ''
  if (label !== '') {
    for (const slot of slots) {
      if (pkcs11.C_GetTokenInfo(slot).label.trim() === label) return { slot, description: `the token "${label}"` }
    }
    throw new HsmError(`hsm.token_label "${label}": no token with this label in ${config.library ?? ''} (initialise it first, e.g. softhsm2-util --init-token)`)
  }
  const wanted = config.slot ?? 0
  for (const slot of slots) {
    if (slot.readUIntLE(0, Math.min(slot.length, 6)) === wanted) return { slot, description: `the token in slot ${wanted}` }
  }
  throw new HsmError(`hsm.slot ${wanted}: no slot with a token of that id in ${config.library ?? ''}`)
}
