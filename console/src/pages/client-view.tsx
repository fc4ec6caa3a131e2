// One client: its settings, a secret shown exactly once after create or renewal, ready commands
// for its grant types, and edit / new secret / delete.
import { useEffect, useState } from 'preact/hooks'
import { call, enc, get } from '../api.js'
import { clientCommands } from '../commands.js'
import { Badges, ConfirmDialog, Copyable, ErrorBox, Loading, PageHeader, when } from '../components.js'
import { publicUrlOf, type OAuth2Client } from '../model.js'
import { newClientSecret, supportsRotation } from '../secrets.js'
import { go, notify, revealOnce, takeReveal, useStatus } from '../state.js'

function SecretPanel({ secret, onDone }: { secret: string; onDone: () => void }) {
  return (
    <section class="alert success secret" aria-labelledby="secret-title">
      <h2 id="secret-title">Client secret</h2>
      <p>
        Copy it now: <strong>this is the only time it is shown.</strong> Orthrus keeps only a hash of it.
      </p>
      <Copyable value={secret} label="client secret" />
      <div class="actions">
        <button type="button" class="secondary small" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </section>
  )
}

const list = (values?: readonly string[]) =>
  values && values.length > 0 ? (
    <ul class="plain">
      {values.map((v) => (
        <li key={v}>
          <code>{v}</code>
        </li>
      ))}
    </ul>
  ) : (
    <span class="muted">—</span>
  )

export function ClientView({ clientId }: { clientId: string }) {
  const status = useStatus()
  const [client, setClient] = useState<OAuth2Client>()
  const [error, setError] = useState<unknown>()
  const [secret, setSecret] = useState<string | undefined>(() => takeReveal(clientId))
  const [dialog, setDialog] = useState<'delete' | 'secret'>()
  const [rotates, setRotates] = useState<boolean>()

  useEffect(() => {
    setClient(undefined)
    get<OAuth2Client>(`/admin/clients/${enc(clientId)}`).then((r) => setClient(r.data), setError)
  }, [clientId])
  useEffect(() => {
    void supportsRotation().then(setRotates)
  }, [])

  if (error) return <ErrorBox error={error} title="The client could not be read" />
  if (!client) return <Loading what="the client" />
  const isPublic = client.token_endpoint_auth_method === 'none'
  const commands = status ? clientCommands(client, publicUrlOf(status)) : []
  return (
    <>
      <p class="crumbs">
        <a href="#/clients">Clients</a> /
      </p>
      <PageHeader title={client.client_name || client.client_id}>
        <a class="button secondary" href={`#/clients/${enc(clientId)}/edit`}>
          Edit
        </a>
        {!isPublic && (
          <button type="button" class="secondary" onClick={() => setDialog('secret')}>
            New secret
          </button>
        )}
        <a class="button secondary" href={`#/try?client=${enc(clientId)}`}>
          Try it
        </a>
        <button type="button" class="danger" onClick={() => setDialog('delete')}>
          Delete
        </button>
      </PageHeader>
      {secret && <SecretPanel secret={secret} onDone={() => setSecret(undefined)} />}
      <div class="grid">
        <section class="card" aria-labelledby="c-ident">
          <h2 id="c-ident">Identity</h2>
          <dl class="facts">
            <dt>Client ID</dt>
            <dd>
              <Copyable value={client.client_id} label="client ID" />
            </dd>
            <dt>Authentication</dt>
            <dd>
              <code>{client.token_endpoint_auth_method}</code>
              {isPublic && <span class="muted"> (public client: no secret)</span>}
            </dd>
            <dt>Owner</dt>
            <dd>{client.owner || <span class="muted">—</span>}</dd>
            <dt>Created</dt>
            <dd>{when(client.created_at)}</dd>
            <dt>Updated</dt>
            <dd>{when(client.updated_at)}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="c-grants">
          <h2 id="c-grants">Grants</h2>
          <dl class="facts">
            <dt>Grant types</dt>
            <dd>
              <Badges values={client.grant_types} />
            </dd>
            <dt>Response types</dt>
            <dd>
              <Badges values={client.response_types} />
            </dd>
            <dt>Scope</dt>
            <dd>
              <Badges values={client.scope ? client.scope.split(' ') : []} />
            </dd>
            <dt>Audience</dt>
            <dd>
              <Badges values={client.audience} />
            </dd>
            <dt>Skip consent</dt>
            <dd>{client.skip_consent ? 'yes' : 'no'}</dd>
            <dt>Token format</dt>
            <dd>{client.access_token_strategy || 'server default'}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="c-uris">
          <h2 id="c-uris">Redirects</h2>
          <dl class="facts">
            <dt>Redirect URIs</dt>
            <dd>{list(client.redirect_uris)}</dd>
            <dt>Post-logout</dt>
            <dd>{list(client.post_logout_redirect_uris)}</dd>
            <dt>CORS origins</dt>
            <dd>{list(client.allowed_cors_origins)}</dd>
          </dl>
        </section>
      </div>
      <section class="card" aria-labelledby="c-commands">
        <h2 id="c-commands">Try it from a terminal</h2>
        {commands.length === 0 ? (
          <p class="muted">No command for these grant types.</p>
        ) : (
          <>
            <p class="muted">
              Put the secret in <code>OAUTH2_CLIENT_SECRET</code> first; the <code>orthrus</code> CLI reads it from there too.
            </p>
            {commands.map((c) => (
              <div key={c.title} class="command">
                <h3>{c.title}</h3>
                <Copyable value={c.text} label={`${c.title} command`} multiline />
              </div>
            ))}
          </>
        )}
      </section>
      {dialog === 'delete' && (
        <ConfirmDialog
          title="Delete this client?"
          confirmLabel="Delete client"
          onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            await call('DELETE', `/admin/clients/${enc(clientId)}`)
            notify(`Client ${client.client_name || client.client_id} deleted.`)
            go('#/clients')
          }}
        >
          <p>
            <strong>{client.client_name || client.client_id}</strong> can no longer get tokens. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
      {dialog === 'secret' && (
        <ConfirmDialog
          title="Give this client a new secret?"
          confirmLabel="Create new secret"
          onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            const fresh = await newClientSecret(clientId)
            revealOnce(clientId, fresh)
            setSecret(takeReveal(clientId))
            notify('A new secret was created. Copy it now.')
          }}
        >
          {rotates ? (
            <p>The old secret keeps working until you delete rotated secrets, so you can update the application first.</p>
          ) : (
            <p>
              <strong>The old secret stops working at once.</strong> Update the application right after.
            </p>
          )}
        </ConfirmDialog>
      )}
    </>
  )
}
