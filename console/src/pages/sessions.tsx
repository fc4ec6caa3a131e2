// Sessions & consents of one subject: the consent sessions it granted (one per client), revoked
// one by one or all at once, and its login sessions (remembered sign-ins), revoked together.
import { useEffect, useState } from 'preact/hooks'
import { call, enc, get, nextPageToken } from '../api.js'
import { Badges, ConfirmDialog, DangerCell, ErrorBox, Loading, PageHeader, Table, TextField, when, type FormEvent } from '../components.js'
import type { ConsentSession } from '../model.js'
import { go, notify } from '../state.js'

type Pending = { kind: 'one'; client: string; name: string } | { kind: 'all' } | { kind: 'login' }

export function Sessions({ initialSubject }: { initialSubject: string }) {
  const [subject, setSubject] = useState(initialSubject)
  const [sessions, setSessions] = useState<ConsentSession[]>()
  const [next, setNext] = useState<string>()
  const [error, setError] = useState<unknown>()
  const [pending, setPending] = useState<Pending>()
  const [tick, setTick] = useState(0)

  const load = async (token?: string) => {
    const q = new URLSearchParams({ subject: initialSubject, page_size: '50' })
    if (token) q.set('page_token', token)
    const r = await get<ConsentSession[]>(`/admin/oauth2/auth/sessions/consent?${q}`)
    setNext(nextPageToken(r.headers))
    return r.data
  }

  useEffect(() => {
    setSessions(undefined)
    setError(undefined)
    if (initialSubject === '') return
    load().then(setSessions, setError)
  }, [initialSubject, tick])

  const lookUp = (e: FormEvent) => {
    e.preventDefault()
    go(`#/sessions?subject=${enc(subject.trim())}`)
  }
  const base = `/admin/oauth2/auth/sessions`
  const s = enc(initialSubject)

  return (
    <>
      <PageHeader title="Sessions & consents" intro="Look up a user by subject to see which clients they consented to, and end their sessions." />
      <form class="card inline-form" onSubmit={lookUp} role="search" aria-label="Look up a subject">
        <TextField name="subject" label="Subject" hint="The user id your login app sends as subject." value={subject} onInput={setSubject} required />
        <div class="field">
          <button type="submit">Look up</button>
        </div>
      </form>
      <ErrorBox error={error} />
      {initialSubject !== '' && !sessions && !error && <Loading what="consent sessions" />}
      {sessions && (
        <section class="card" aria-labelledby="consents">
          <div class="card-head">
            <h2 id="consents">
              Consents of <code>{initialSubject}</code>
            </h2>
            <div class="page-actions">
              <button type="button" class="danger small" disabled={sessions.length === 0} onClick={() => setPending({ kind: 'all' })}>
                Revoke all consents
              </button>
              <button type="button" class="danger small" onClick={() => setPending({ kind: 'login' })}>
                Revoke login sessions
              </button>
            </div>
          </div>
          {sessions.length === 0 ? (
            <p class="muted">No remembered consent for this subject.</p>
          ) : (
            <Table columns={['Client', 'Granted scope', 'Granted']} actions>
              {sessions.map((c) => {
                const client = c.consent_request?.client
                const id = client?.client_id ?? ''
                const name = client?.client_name || id
                return (
                  <tr key={c.consent_request_id ?? id}>
                    <td>
                      <a href={`#/clients/${enc(id)}`}>{name}</a>
                      <br />
                      <code class="muted">{id}</code>
                    </td>
                    <td>
                      <Badges values={c.grant_scope} />
                    </td>
                    <td>
                      {when(c.handled_at)}
                      {c.remember && <span class="badge">remembered</span>}
                    </td>
                    <DangerCell label={`Revoke consent for ${name}`} text="Revoke" onClick={() => setPending({ kind: 'one', client: id, name })} />
                  </tr>
                )
              })}
            </Table>
          )}
          {next && (
            <div class="actions">
              <button type="button" class="secondary" onClick={() => load(next).then((more) => setSessions([...sessions, ...more]), setError)}>
                Show more
              </button>
            </div>
          )}
        </section>
      )}
      {pending && (
        <ConfirmDialog
          title={pending.kind === 'one' ? `Revoke the consent for ${pending.name}?` : pending.kind === 'all' ? 'Revoke every consent of this subject?' : 'Revoke the login sessions of this subject?'}
          confirmLabel="Revoke"
          onClose={() => setPending(undefined)}
          onConfirm={async () => {
            if (pending.kind === 'one') await call('DELETE', `${base}/consent?subject=${s}&client=${enc(pending.client)}`)
            else if (pending.kind === 'all') await call('DELETE', `${base}/consent?subject=${s}&all=true`)
            else await call('DELETE', `${base}/login?subject=${s}`)
            notify(pending.kind === 'login' ? 'Login sessions revoked.' : 'Consent revoked.')
            setTick((n) => n + 1)
          }}
        >
          {pending.kind === 'login' ? (
            <p>The user must sign in again everywhere. Consents stay as they are.</p>
          ) : (
            <p>The tokens issued under {pending.kind === 'one' ? 'this consent are' : 'these consents are'} revoked, and the user is asked again next time.</p>
          )}
        </ConfirmDialog>
      )}
    </>
  )
}
