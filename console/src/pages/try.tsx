// Try it: a client_credentials request through the admin listener's relay to the public token
// endpoint (POST /admin/orthrus/try/client-credentials), the token's introspection (admin
// /admin/oauth2/introspect), and an authorization code flow started in a new tab.
import { useEffect, useState } from 'preact/hooks'
import { ApiError, call, enc, get } from '../api.js'
import { authorizationUrl } from '../commands.js'
import { Copyable, ErrorBox, PageHeader, SelectField, TextField, type FormEvent } from '../components.js'
import { publicUrlOf, type OAuth2Client } from '../model.js'
import { randomSecret } from '../secrets.js'
import { secretOf, useStatus } from '../state.js'

interface Relayed {
  token_endpoint: string
  auth_method: string
  status: number
  response?: Record<string, unknown>
  response_text?: string
}

const json = (v: unknown) => JSON.stringify(v, null, 2)

function ClientCredentials({ client }: { client: OAuth2Client | undefined }) {
  const [secret, setSecret] = useState('')
  const [scope, setScope] = useState('')
  const [result, setResult] = useState<Relayed>()
  const [introspection, setIntrospection] = useState<unknown>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    setSecret(client ? (secretOf(client.client_id) ?? '') : '')
    setScope(client?.scope ?? '')
    setResult(undefined)
    setIntrospection(undefined)
  }, [client?.client_id])

  if (!client) return null
  const allowed = (client.grant_types ?? []).includes('client_credentials')
  const run = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    setResult(undefined)
    setIntrospection(undefined)
    try {
      const method = client.token_endpoint_auth_method === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic'
      const relayed = await call<Relayed>('POST', '/admin/orthrus/try/client-credentials', { json: { client_id: client.client_id, client_secret: secret, scope: scope.trim(), auth_method: method } })
      setResult(relayed.data)
      const token = relayed.data.response?.['access_token']
      if (typeof token === 'string') setIntrospection((await call('POST', '/admin/oauth2/introspect', { form: { token } })).data)
    } catch (x) {
      setError(x)
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="card" aria-labelledby="try-cc">
      <h2 id="try-cc">client_credentials</h2>
      {!allowed && (
        <p class="alert warn">
          This client may not use <code>client_credentials</code>: the token endpoint will answer <code>unauthorized_client</code>. <a href={`#/clients/${enc(client.client_id)}/edit`}>Edit its grant types</a>.
        </p>
      )}
      <form onSubmit={run} class="inline-form">
        <TextField name="client_secret" type="password" label="Client secret" hint={secretOf(client.client_id) ? 'Filled in from this tab; never stored.' : 'Secrets are shown only once; paste it here.'} value={secret} onInput={setSecret} autoComplete="off" />
        <TextField name="scope" label="Scope" hint="Space-separated; empty asks for none." value={scope} onInput={setScope} />
        <div class="field">
          <button type="submit" disabled={busy}>
            Get a token
          </button>
        </div>
      </form>
      <ErrorBox error={error} />
      {result && (
        <div class="try-result" data-status={result.status}>
          <p>
            <code>POST {result.token_endpoint}</code> ({result.auth_method}) answered{' '}
            <span class={`badge ${result.status === 200 ? 'ok' : 'bad'}`}>{result.status}</span>
          </p>
          <h3>Token response</h3>
          <Copyable value={result.response ? json(result.response) : (result.response_text ?? '')} label="token response" multiline />
          {introspection !== undefined && (
            <>
              <h3>Introspection</h3>
              <Copyable value={json(introspection)} label="introspection" multiline />
            </>
          )}
        </div>
      )}
    </section>
  )
}

function AuthorizationCode({ client, publicUrl }: { client: OAuth2Client | undefined; publicUrl: string }) {
  const uris = client?.redirect_uris ?? []
  const [redirect, setRedirect] = useState('')
  const [scope, setScope] = useState('')
  const [state] = useState(() => randomSecret().slice(0, 22))
  useEffect(() => {
    setRedirect(uris[0] ?? '')
    setScope(client?.scope ?? '')
  }, [client?.client_id])
  if (!client) return null
  if (!(client.grant_types ?? []).includes('authorization_code') || uris.length === 0) {
    return (
      <section class="card" aria-labelledby="try-ac">
        <h2 id="try-ac">Authorization code flow</h2>
        <p class="muted">This client needs the authorization_code grant and a redirect URI for this.</p>
      </section>
    )
  }
  const url = authorizationUrl(publicUrl, { clientId: client.client_id, redirectUri: redirect || (uris[0] as string), scope, state })
  return (
    <section class="card" aria-labelledby="try-ac">
      <h2 id="try-ac">Authorization code flow</h2>
      <p class="muted">Opens the authorization endpoint in a new tab: sign in and consent, and the browser lands on the redirect URI with a code.</p>
      <div class="inline-form">
        <SelectField name="redirect_uri" label="Redirect URI" options={uris.map((u) => [u, u] as const)} value={redirect} onChange={setRedirect} />
        <TextField name="ac_scope" label="Scope" value={scope} onInput={setScope} />
      </div>
      <Copyable value={url} label="authorization URL" />
      <div class="actions">
        <a class="button" href={url} target="_blank" rel="noopener noreferrer">
          Start in a new tab
        </a>
      </div>
    </section>
  )
}

export function TryIt({ initialClient }: { initialClient: string }) {
  const status = useStatus()
  const [clients, setClients] = useState<OAuth2Client[]>([])
  const [chosen, setChosen] = useState(initialClient)
  const [client, setClient] = useState<OAuth2Client>()
  const [error, setError] = useState<unknown>()

  useEffect(() => {
    get<OAuth2Client[]>('/admin/clients?page_size=200').then((r) => setClients(r.data), setError)
  }, [])
  useEffect(() => {
    setClient(undefined)
    if (chosen === '') return
    get<OAuth2Client>(`/admin/clients/${enc(chosen)}`).then(
      (r) => {
        setError(undefined)
        setClient(r.data)
      },
      (x: unknown) => setError(x instanceof ApiError && x.status === 404 ? new ApiError(404, x.error, `There is no client ${chosen}.`) : x),
    )
  }, [chosen])

  const options: Array<readonly [string, string]> = [['', 'Choose a client…'], ...clients.map((c) => [c.client_id, c.client_name ? `${c.client_name} (${c.client_id})` : c.client_id] as const)]
  if (chosen !== '' && !clients.some((c) => c.client_id === chosen)) options.push([chosen, chosen])
  return (
    <>
      <PageHeader title="Try it" intro="Get a token for a client and see what the server says about it." />
      <form class="card" onSubmit={(e) => e.preventDefault()}>
        <SelectField name="client" label="Client" options={options} value={chosen} onChange={setChosen} hint="The first 200 clients; open any other from its page." />
      </form>
      <ErrorBox error={error} />
      <ClientCredentials client={client} />
      {status && <AuthorizationCode client={client} publicUrl={publicUrlOf(status)} />}
    </>
  )
}
