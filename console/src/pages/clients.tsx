// Clients: one server-side page at a time (page_size + page_token from the Link header), filtered
// by the admin API's own filters (exact client_name, exact owner), or opened by id.
import { useEffect, useState } from 'preact/hooks'
import { enc, get, nextPageToken, totalCount } from '../api.js'
import { Badges, ErrorBox, Loading, PageHeader, Table, TextField, type FormEvent } from '../components.js'
import type { OAuth2Client } from '../model.js'
import { go } from '../state.js'

const PAGE_SIZE = 25

interface Page {
  clients: OAuth2Client[]
  next?: string
  total?: number
}

export function ClientList({ query }: { query: URLSearchParams }) {
  const name = query.get('client_name') ?? ''
  const owner = query.get('owner') ?? ''
  const token = query.get('page_token') ?? ''
  const [page, setPage] = useState<Page>()
  const [error, setError] = useState<unknown>()
  const [form, setForm] = useState({ name, owner, id: '' })
  // Tokens of the pages before this one, so "Previous" works with forward-only page tokens.
  const [trail, setTrail] = useState<string[]>([])

  useEffect(() => {
    const params = new URLSearchParams({ page_size: String(PAGE_SIZE) })
    if (name) params.set('client_name', name)
    if (owner) params.set('owner', owner)
    if (token) params.set('page_token', token)
    setPage(undefined)
    setError(undefined)
    get<OAuth2Client[]>(`/admin/clients?${params}`).then(
      (r) => setPage({ clients: r.data, next: nextPageToken(r.headers), total: totalCount(r.headers) }),
      setError,
    )
  }, [name, owner, token])

  const listUrl = (p: { name?: string; owner?: string; token?: string }) => {
    const q = new URLSearchParams()
    if (p.name) q.set('client_name', p.name)
    if (p.owner) q.set('owner', p.owner)
    if (p.token) q.set('page_token', p.token)
    const s = q.toString()
    return `#/clients${s ? `?${s}` : ''}`
  }
  const search = (e: FormEvent) => {
    e.preventDefault()
    setTrail([])
    go(listUrl({ name: form.name.trim(), owner: form.owner.trim() }))
  }
  const open = (e: FormEvent) => {
    e.preventDefault()
    if (form.id.trim()) go(`#/clients/${enc(form.id.trim())}`)
  }

  return (
    <>
      <PageHeader title="Clients" intro="OAuth 2.0 clients registered with this server.">
        <a class="button" href="#/clients/new">
          New client
        </a>
      </PageHeader>
      <div class="card toolbar">
        <form class="inline-form" onSubmit={search} role="search" aria-label="Filter clients">
          <TextField name="client_name" label="Name" hint="Exact client name" value={form.name} onInput={(v) => setForm({ ...form, name: v })} />
          <TextField name="owner" label="Owner" hint="Exact owner" value={form.owner} onInput={(v) => setForm({ ...form, owner: v })} />
          <div class="field">
            <button type="submit">Search</button>
          </div>
        </form>
        <form class="inline-form" onSubmit={open} aria-label="Open a client by id">
          <TextField name="open_client_id" label="Client ID" hint="Open one client" value={form.id} onInput={(v) => setForm({ ...form, id: v })} />
          <div class="field">
            <button type="submit" class="secondary">
              Open
            </button>
          </div>
        </form>
      </div>
      <ErrorBox error={error} />
      {!page && !error && <Loading what="clients" />}
      {page && (
        <section class="card" aria-label="Client list">
          <p class="muted" aria-live="polite">
            {page.total === undefined ? `${page.clients.length} shown` : `${page.total.toLocaleString()} client${page.total === 1 ? '' : 's'}${name || owner ? ' match' : ''}`}
          </p>
          {page.clients.length === 0 ? (
            <p>
              No clients{name || owner ? ' match these filters' : ' yet'}. <a href="#/clients/new">Create one</a>.
            </p>
          ) : (
            <Table columns={['Name', 'Client ID', 'Grant types', 'Authentication']} class="clients">
              {page.clients.map((c) => (
                <tr key={c.client_id}>
                  <td>
                    <a href={`#/clients/${enc(c.client_id)}`}>{c.client_name || <span class="muted">(no name)</span>}</a>
                  </td>
                  <td>
                    <code>{c.client_id}</code>
                  </td>
                  <td>
                    <Badges values={c.grant_types} />
                  </td>
                  <td>{c.token_endpoint_auth_method}</td>
                </tr>
              ))}
            </Table>
          )}
          <nav class="actions" aria-label="Pages">
            <button
              type="button"
              class="secondary"
              disabled={!token}
              onClick={() => {
                const before = trail.slice(0, -1)
                setTrail(before)
                go(listUrl({ name, owner, token: trail.at(-1) ?? '' }))
              }}
            >
              Previous page
            </button>
            <button
              type="button"
              class="secondary"
              disabled={!page.next}
              onClick={() => {
                setTrail([...trail, token])
                go(listUrl({ name, owner, token: page.next }))
              }}
            >
              Next page
            </button>
          </nav>
        </section>
      )}
    </>
  )
}
