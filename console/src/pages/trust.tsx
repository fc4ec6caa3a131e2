// Trust relationships for the JWT-bearer grant (RFC 7523): which issuer may sign assertions for
// which subject and scopes, with which public key. Created from a pasted JWK.
import { useEffect, useState } from 'preact/hooks'
import { ApiError, call, enc, get } from '../api.js'
import { Badges, Checkbox, ConfirmDialog, DangerCell, ErrorBox, Loading, PageHeader, Table, TextArea, TextField, when, type FormEvent } from '../components.js'
import type { TrustRelationship } from '../model.js'
import { notify } from '../state.js'

const PATH = '/admin/trust/grants/jwt-bearer/issuers'
const inAYear = (): string => new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 16)

export function Trust() {
  const [list, setList] = useState<TrustRelationship[]>()
  const [error, setError] = useState<unknown>()
  const [tick, setTick] = useState(0)
  const [form, setForm] = useState({ issuer: '', subject: '', any: false, scope: '', jwk: '', expires: inAYear() })
  const [formError, setFormError] = useState<ApiError>()
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const [pending, setPending] = useState<TrustRelationship>()

  useEffect(() => {
    get<TrustRelationship[]>(`${PATH}?page_size=500`).then((r) => setList(r.data), setError)
  }, [tick])

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setFormError(undefined)
    setFieldErrors({})
    let jwk: unknown
    try {
      jwk = JSON.parse(form.jwk)
    } catch {
      setFieldErrors({ jwk: 'Paste a JSON Web Key: a JSON object such as {"kty":"RSA","kid":"...","n":"...","e":"AQAB"}.' })
      return
    }
    const expires = new Date(form.expires)
    const body = {
      issuer: form.issuer.trim(),
      ...(form.any ? { allow_any_subject: true } : { subject: form.subject.trim() }),
      scope: form.scope.split(/\s+/).filter((s) => s !== ''),
      jwk,
      expires_at: Number.isNaN(expires.getTime()) ? form.expires : expires.toISOString(),
    }
    try {
      await call('POST', PATH, { json: body })
      notify(`Issuer ${body.issuer} is trusted.`)
      setForm({ ...form, issuer: '', subject: '', jwk: '' })
      setTick((n) => n + 1)
    } catch (x) {
      const apiError = x instanceof ApiError ? x : new ApiError(0, 'error', String(x))
      setFormError(apiError)
      const field = apiError.field
      if (field) setFieldErrors({ [field === 'allow_any_subject' ? 'subject' : field]: apiError.hint ?? apiError.description })
    }
  }
  const err = (k: string) => fieldErrors[k]

  return (
    <>
      <PageHeader title="Trust relationships" intro="Issuers whose signed JWTs clients may trade for access tokens (jwt-bearer grant, RFC 7523)." />
      <ErrorBox error={error} />
      {!list && !error && <Loading what="trust relationships" />}
      {list && (
        <section class="card" aria-label="Trusted issuers">
          {list.length === 0 ? (
            <p class="muted">No issuer is trusted yet.</p>
          ) : (
            <Table columns={['Issuer', 'Subject', 'Scope', 'Key', 'Expires']} actions>
              {list.map((t) => (
                <tr key={t.id}>
                  <td>
                    <code>{t.issuer}</code>
                  </td>
                  <td>{t.allow_any_subject ? <span class="badge">any subject</span> : <code>{t.subject}</code>}</td>
                  <td>
                    <Badges values={t.scope} />
                  </td>
                  <td>
                    <code>{t.public_key?.kid}</code>
                  </td>
                  <td>{when(t.expires_at)}</td>
                  <DangerCell label={`Delete trust in ${t.issuer}`} onClick={() => setPending(t)} />
                </tr>
              ))}
            </Table>
          )}
        </section>
      )}
      <section class="card" aria-labelledby="new-trust">
        <h2 id="new-trust">Trust an issuer</h2>
        <ErrorBox error={formError} title="The admin API did not accept this trust relationship" />
        <form onSubmit={submit} noValidate>
          <TextField name="issuer" label="Issuer" hint="The iss claim of the assertions." value={form.issuer} onInput={(v) => setForm({ ...form, issuer: v })} error={err('issuer')} />
          <Checkbox name="allow_any_subject" label="Allow any subject" hint="Otherwise only the one subject below may be asserted." checked={form.any} onChange={(v) => setForm({ ...form, any: v })} />
          {!form.any && <TextField name="subject" label="Subject" hint="The sub claim the issuer may assert." value={form.subject} onInput={(v) => setForm({ ...form, subject: v })} error={err('subject')} />}
          <TextField name="scope" label="Scope" hint="Space-separated scopes the issuer may grant; may be empty." value={form.scope} onInput={(v) => setForm({ ...form, scope: v })} error={err('scope')} />
          <TextArea name="jwk" label="Public key (JWK)" hint="Paste the issuer's public JSON Web Key, with its kid. Never a private key." value={form.jwk} onInput={(v) => setForm({ ...form, jwk: v })} error={err('jwk')} rows={5} />
          <TextField name="expires_at" type="datetime-local" label="Expires" hint="In your local time; after it the relationship no longer counts." value={form.expires} onInput={(v) => setForm({ ...form, expires: v })} error={err('expires_at')} />
          <div class="actions">
            <button type="submit">Trust issuer</button>
          </div>
        </form>
      </section>
      {pending && (
        <ConfirmDialog
          title={`Stop trusting ${pending.issuer}?`}
          confirmLabel="Delete trust relationship"
          onClose={() => setPending(undefined)}
          onConfirm={async () => {
            await call('DELETE', `${PATH}/${enc(pending.id)}`)
            notify(`Issuer ${pending.issuer} is no longer trusted.`)
            setTick((n) => n + 1)
          }}
        >
          <p>Its assertions are refused from now on. Tokens already issued stay valid until they expire.</p>
        </ConfirmDialog>
      )}
    </>
  )
}
