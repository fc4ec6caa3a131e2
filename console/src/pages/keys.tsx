// JSON Web Keys: every key set (names from /admin/orthrus/status, since Hydra's API has no list),
// its keys with their public parameters only, and create / rotate / delete. The admin API answers
// with private keys too; the console never shows or keeps those members.
import { useEffect, useState } from 'preact/hooks'
import { call, enc, get } from '../api.js'
import { ConfirmDialog, DangerCell, ErrorBox, Loading, PageHeader, SelectField, Table, TextField, type FormEvent } from '../components.js'
import type { Jwk } from '../model.js'
import { loadStatus, notify } from '../state.js'

const ALGS = ['RS256', 'RS512', 'ES256', 'ES512', 'EdDSA', 'HS256', 'HS512'] as const
const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

/** What a list may show of a key: identification and size, never private members. */
function describe(k: Jwk): { kid: string; kty: string; alg: string; use: string; size: string; hasPrivate: boolean } {
  const size = k.kty === 'RSA' && typeof k.n === 'string' ? `${Math.round((k.n.length * 6) / 1024) * 1024} bit` : k.kty === 'oct' ? 'symmetric' : (k.crv ?? '')
  return { kid: k.kid ?? '', kty: k.kty ?? '', alg: k.alg ?? '', use: k.use ?? '', size, hasPrivate: PRIVATE.some((m) => m in k) }
}

type KeyView = ReturnType<typeof describe>
type Pending = { kind: 'key'; set: string; kid: string } | { kind: 'set'; set: string }

export function Keys() {
  const [sets, setSets] = useState<Array<{ set: string; keys: KeyView[] }>>()
  const [error, setError] = useState<unknown>()
  const [form, setForm] = useState({ set: '', alg: 'RS256', use: 'sig', kid: '' })
  const [formError, setFormError] = useState<unknown>()
  const [pending, setPending] = useState<Pending>()
  const [tick, setTick] = useState(0)

  useEffect(() => {
    loadStatus(true)
      .then(async (status) => {
        const names = (status.key_sets ?? []).map((k) => k.set)
        const loaded = await Promise.all(
          names.map(async (set) => {
            const r = await get<{ keys: Jwk[] }>(`/admin/keys/${enc(set)}`).catch(() => ({ data: { keys: [] as Jwk[] } }))
            return { set, keys: r.data.keys.map(describe) }
          }),
        )
        setSets(loaded)
      })
      .catch(setError)
  }, [tick])

  const create = async (set: string, body: { alg: string; use: string; kid?: string }) => {
    await call('POST', `/admin/keys/${enc(set)}`, { json: body })
    setTick((n) => n + 1)
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setFormError(undefined)
    try {
      await create(form.set.trim(), { alg: form.alg, use: form.use, ...(form.kid.trim() ? { kid: form.kid.trim() } : {}) })
      notify(`Key created in ${form.set.trim()}.`)
      setForm({ ...form, kid: '' })
    } catch (x) {
      setFormError(x)
    }
  }

  return (
    <>
      <PageHeader title="Keys" intro="JSON Web Key sets. The newest key of a set signs; every key stays published until it is deleted, so rotating is adding a key." />
      <ErrorBox error={error} />
      {!sets && !error && <Loading what="key sets" />}
      {sets?.map(({ set, keys }) => (
        <section class="card" key={set} aria-label={`Key set ${set}`}>
          <div class="card-head">
            <h2>
              <code>{set}</code>
            </h2>
            <div class="page-actions">
              {keys[0] && (
                <button
                  type="button"
                  class="secondary small"
                  onClick={() =>
                    create(set, { alg: keys[0]!.alg || 'RS256', use: keys[0]!.use || 'sig' }).then(
                      () => notify(`A new ${keys[0]!.alg} key now signs for ${set}.`),
                      (x: unknown) => setError(x),
                    )
                  }
                >
                  Rotate (add a new key)
                </button>
              )}
              <button type="button" class="danger small" onClick={() => setPending({ kind: 'set', set })}>
                Delete set
              </button>
            </div>
          </div>
          <Table columns={['Key ID', 'Algorithm', 'Use', 'Type']} actions>
            {keys.map((k, i) => (
              <tr key={k.kid}>
                <td>
                  <code>{k.kid}</code> {i === 0 && k.use === 'sig' && <span class="badge ok">signs</span>}
                </td>
                <td>{k.alg}</td>
                <td>{k.use}</td>
                <td>
                  {k.kty} {k.size}
                  {k.hasPrivate && <span class="muted"> · private part stored</span>}
                </td>
                <DangerCell label={`Delete key ${k.kid}`} onClick={() => setPending({ kind: 'key', set, kid: k.kid })} />
              </tr>
            ))}
          </Table>
        </section>
      ))}
      <section class="card" aria-labelledby="new-key">
        <h2 id="new-key">Create a key</h2>
        <ErrorBox error={formError} title="The key was not created" />
        <form class="inline-form" onSubmit={submit}>
          <TextField name="set" label="Key set" hint="An existing set adds a key (rotation); a new name creates the set." value={form.set} onInput={(v) => setForm({ ...form, set: v })} required />
          <SelectField name="alg" label="Algorithm" options={ALGS.map((a) => [a, a] as const)} value={form.alg} onChange={(v) => setForm({ ...form, alg: v })} />
          <SelectField name="use" label="Use" options={[['sig', 'sig: signing'], ['enc', 'enc: encryption']]} value={form.use} onChange={(v) => setForm({ ...form, use: v })} />
          <TextField name="kid" label="Key ID" hint="Optional; a random UUID otherwise." value={form.kid} onInput={(v) => setForm({ ...form, kid: v })} />
          <div class="field">
            <button type="submit">Create key</button>
          </div>
        </form>
      </section>
      {pending && (
        <ConfirmDialog
          title={pending.kind === 'set' ? `Delete the key set ${pending.set}?` : `Delete key ${pending.kid}?`}
          confirmLabel={pending.kind === 'set' ? 'Delete key set' : 'Delete key'}
          onClose={() => setPending(undefined)}
          onConfirm={async () => {
            await call('DELETE', pending.kind === 'set' ? `/admin/keys/${enc(pending.set)}` : `/admin/keys/${enc(pending.set)}/${enc(pending.kid)}`)
            notify(pending.kind === 'set' ? `Key set ${pending.set} deleted.` : `Key ${pending.kid} deleted.`)
            setTick((n) => n + 1)
          }}
        >
          <p>Tokens signed with {pending.kind === 'set' ? 'these keys' : 'this key'} stop verifying. The well-known sets get a fresh key at the next start.</p>
        </ConfirmDialog>
      )}
    </>
  )
}
