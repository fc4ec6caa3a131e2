// Create or edit a client. The admin API is the validator: the form sends what the operator
// typed, and an error the API answers (invalid_client_metadata, invalid_redirect_uri, ...) is
// shown next to the field its hint names, as well as above the form with its status code.
import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, call, enc, get } from '../api.js'
import { CheckGroup, Checkbox, ErrorBox, Loading, PageHeader, SelectField, TextArea, TextField, type FormEvent } from '../components.js'
import type { OAuth2Client } from '../model.js'
import { go, notify, revealOnce } from '../state.js'

const GRANTS: ReadonlyArray<readonly [string, string]> = [
  ['authorization_code', 'authorization_code: users sign in through the browser'],
  ['refresh_token', 'refresh_token: renew tokens without the user (needs the offline scope)'],
  ['client_credentials', 'client_credentials: the client acts on its own behalf'],
  ['urn:ietf:params:oauth:grant-type:device_code', 'device_code: devices without a browser (RFC 8628)'],
  ['urn:ietf:params:oauth:grant-type:jwt-bearer', 'jwt-bearer: trade a JWT from a trusted issuer (RFC 7523)'],
  ['urn:ietf:params:oauth:grant-type:token-exchange', 'token-exchange: trade one token for another (RFC 8693)'],
  ['implicit', 'implicit: legacy, tokens in the redirect (avoid)'],
]
const RESPONSES = ['code', 'id_token', 'token', 'code id_token', 'code token', 'id_token token', 'code id_token token'].map((r) => [r, r] as const)
const AUTH: ReadonlyArray<readonly [string, string]> = [
  ['client_secret_basic', 'client_secret_basic: secret in the Authorization header (default)'],
  ['client_secret_post', 'client_secret_post: secret in the form body'],
  ['private_key_jwt', 'private_key_jwt: a JWT signed with the client\'s key (needs jwks or jwks_uri)'],
  ['none', 'none: public client (SPA, mobile, CLI) with PKCE, no secret'],
]

type Text = 'client_name' | 'client_id' | 'scope' | 'token_endpoint_auth_method' | 'access_token_strategy' | 'owner' | 'client_uri' | 'logo_uri' | 'policy_uri' | 'tos_uri' | 'subject_type' | 'frontchannel_logout_uri' | 'backchannel_logout_uri' | 'jwks_uri' | 'metadata'
type Lines = 'redirect_uris' | 'post_logout_redirect_uris' | 'audience' | 'allowed_cors_origins' | 'contacts'
type State = Record<Text | Lines, string> & { grant_types: string[]; response_types: string[]; skip_consent: boolean }

const TEXT: readonly Text[] = ['client_name', 'client_id', 'scope', 'token_endpoint_auth_method', 'access_token_strategy', 'owner', 'client_uri', 'logo_uri', 'policy_uri', 'tos_uri', 'subject_type', 'frontchannel_logout_uri', 'backchannel_logout_uri', 'jwks_uri']
const LINES: readonly Lines[] = ['redirect_uris', 'post_logout_redirect_uris', 'audience', 'allowed_cors_origins', 'contacts']
const FIELDS = new Set<string>([...TEXT, ...LINES, 'metadata', 'grant_types', 'response_types', 'skip_consent'])

const EMPTY: State = {
  client_name: '', client_id: '', scope: 'openid offline', token_endpoint_auth_method: 'client_secret_basic', access_token_strategy: '', owner: '', client_uri: '', logo_uri: '',
  policy_uri: '', tos_uri: '', subject_type: '', frontchannel_logout_uri: '', backchannel_logout_uri: '', jwks_uri: '', metadata: '',
  redirect_uris: '', post_logout_redirect_uris: '', audience: '', allowed_cors_origins: '', contacts: '',
  grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], skip_consent: false,
}

function fromClient(c: OAuth2Client): State {
  const s = { ...EMPTY, grant_types: c.grant_types ?? [], response_types: c.response_types ?? [], skip_consent: c.skip_consent === true }
  for (const k of TEXT) s[k] = typeof c[k] === 'string' ? (c[k] as string) : ''
  for (const k of LINES) s[k] = ((c[k] as string[] | undefined) ?? []).join('\n')
  s.metadata = c.metadata === undefined || c.metadata === null || (typeof c.metadata === 'object' && Object.keys(c.metadata).length === 0) ? '' : JSON.stringify(c.metadata, null, 2)
  return s
}

const lines = (v: string): string[] => v.split(/[\n,]/).map((s) => s.trim()).filter((s) => s !== '')

/** The API body for a state; `metadata` must already be valid JSON (checked by the caller). */
function toBody(s: State): Record<string, unknown> {
  const body: Record<string, unknown> = { grant_types: s.grant_types, response_types: s.response_types, skip_consent: s.skip_consent }
  for (const k of TEXT) if (s[k].trim() !== '') body[k] = s[k].trim()
  for (const k of LINES) body[k] = lines(s[k])
  if (s.metadata.trim() !== '') body.metadata = JSON.parse(s.metadata)
  return body
}

export function ClientForm({ clientId }: { clientId?: string }) {
  const editing = clientId !== undefined
  const [original, setOriginal] = useState<OAuth2Client>()
  const [s, setS] = useState<State>(EMPTY)
  const [loadError, setLoadError] = useState<unknown>()
  const [error, setError] = useState<ApiError>()
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const formRef = useRef<HTMLFormElement>(null)

  useEffect(() => {
    if (!editing) return
    get<OAuth2Client>(`/admin/clients/${enc(clientId)}`).then((r) => {
      setOriginal(r.data)
      setS(fromClient(r.data))
    }, setLoadError)
  }, [clientId])

  // After an error, move focus to the first field that has one (WCAG 3.3.1).
  useEffect(() => {
    const first = Object.keys(fieldErrors)[0]
    if (first) formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus()
  }, [fieldErrors])

  if (loadError) return <ErrorBox error={loadError} title="The client could not be read" />
  if (editing && !original) return <Loading what="the client" />

  const set = <K extends keyof State>(k: K) => (v: State[K]) => setS({ ...s, [k]: v })
  const err = (k: string) => fieldErrors[k]

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError(undefined)
    setFieldErrors({})
    if (s.metadata.trim() !== '') {
      try {
        JSON.parse(s.metadata)
      } catch {
        setFieldErrors({ metadata: 'Metadata must be a JSON value, e.g. {"team": "payments"}.' })
        return
      }
    }
    setBusy(true)
    try {
      const body = toBody(s)
      if (!editing) {
        const created = await call<OAuth2Client>('POST', '/admin/clients', { json: body })
        if (created.data.client_secret) revealOnce(created.data.client_id, created.data.client_secret)
        notify(`Client ${created.data.client_name || created.data.client_id} created.`)
        go(`#/clients/${enc(created.data.client_id)}`)
        return
      }
      // Only what changed, as JSON Patch "add" (sets a member whether or not it exists), so
      // settings this form does not show (jwks, lifespans, ...) stay as they are.
      const before = toBody(fromClient(original as OAuth2Client))
      const ops = Object.entries(body)
        .filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k]))
        .map(([k, v]) => ({ op: 'add', path: `/${k}`, value: v }))
      for (const k of Object.keys(before)) if (!(k in body)) ops.push({ op: 'add', path: `/${k}`, value: k === 'metadata' ? {} : '' })
      if (ops.length > 0) await call('PATCH', `/admin/clients/${enc(clientId)}`, { json: ops })
      notify(ops.length > 0 ? 'Client saved.' : 'Nothing changed.')
      go(`#/clients/${enc(clientId)}`)
    } catch (x) {
      const apiError = x instanceof ApiError ? x : new ApiError(0, 'error', String(x))
      setError(apiError)
      const field = apiError.field
      if (field && FIELDS.has(field)) setFieldErrors({ [field]: apiError.hint ?? apiError.description })
      else window.scrollTo({ top: 0 })
    } finally {
      setBusy(false)
    }
  }

  const name = original?.client_name || clientId
  return (
    <>
      <p class="crumbs">
        <a href="#/clients">Clients</a> /{' '}
        {editing && (
          <>
            <a href={`#/clients/${enc(clientId)}`}>{name}</a> /
          </>
        )}
      </p>
      <PageHeader title={editing ? `Edit ${name}` : 'New client'} intro="Every field is explained below it. Empty fields take the server's defaults." />
      <ErrorBox error={error} title="The admin API did not accept this client" />
      <form ref={formRef} onSubmit={submit} noValidate class="card client-form">
        <h2>Basics</h2>
        <TextField name="client_name" label="Name" hint="Shown to users on the login and consent pages." value={s.client_name} onInput={set('client_name')} error={err('client_name')} />
        {!editing && <TextField name="client_id" label="Client ID" hint="Leave empty and the server picks a random UUID." value={s.client_id} onInput={set('client_id')} error={err('client_id')} />}
        <CheckGroup legend="Grant types" name="grant_types" options={GRANTS} value={s.grant_types} onChange={set('grant_types')} error={err('grant_types')} hint="How the client may get tokens at the token endpoint." />
        <CheckGroup legend="Response types" name="response_types" options={RESPONSES} value={s.response_types} onChange={set('response_types')} error={err('response_types')} hint="What the authorization endpoint may return; code for the authorization code flow." />
        <TextField name="scope" label="Scope" hint="Space-separated scopes the client may ask for, e.g. openid offline profile." value={s.scope} onInput={set('scope')} error={err('scope')} />
        <TextArea name="redirect_uris" label="Redirect URIs" hint="One per line. Matched exactly; must be absolute URLs (https outside --dev, except loopback)." value={s.redirect_uris} onInput={set('redirect_uris')} error={err('redirect_uris')} placeholder="https://app.example.com/callback" />
        <SelectField name="token_endpoint_auth_method" label="Client authentication" hint="How the client proves who it is at the token endpoint." options={AUTH} value={s.token_endpoint_auth_method} onChange={set('token_endpoint_auth_method')} error={err('token_endpoint_auth_method')} />
        <TextArea name="audience" label="Audience" hint="One per line: the APIs (resource servers) this client may request tokens for." value={s.audience} onInput={set('audience')} error={err('audience')} rows={2} />
        <Checkbox name="skip_consent" label="Skip consent (first-party clients only)" hint="The consent app is told it may accept without asking the user." checked={s.skip_consent} onChange={set('skip_consent')} />
        <details>
          <summary>More settings</summary>
          <TextArea name="post_logout_redirect_uris" label="Post-logout redirect URIs" hint="One per line: where RP-Initiated Logout may return to." value={s.post_logout_redirect_uris} onInput={set('post_logout_redirect_uris')} error={err('post_logout_redirect_uris')} rows={2} />
          <TextArea name="allowed_cors_origins" label="Allowed CORS origins" hint="One per line: browser origins allowed to call the token, revocation and userinfo endpoints for this client." value={s.allowed_cors_origins} onInput={set('allowed_cors_origins')} error={err('allowed_cors_origins')} rows={2} />
          <SelectField name="access_token_strategy" label="Access token format" hint="Opaque tokens are checked by introspection; JWTs can be verified offline." options={[['', 'Server default'], ['opaque', 'opaque'], ['jwt', 'jwt']]} value={s.access_token_strategy} onChange={set('access_token_strategy')} error={err('access_token_strategy')} />
          <SelectField name="subject_type" label="Subject type" hint="pairwise gives each client a different sub for the same user (needs pairwise enabled on the server)." options={[['', 'Server default'], ['public', 'public'], ['pairwise', 'pairwise']]} value={s.subject_type} onChange={set('subject_type')} error={err('subject_type')} />
          <TextField name="owner" label="Owner" hint="Free text: who is responsible for this client. The client list can filter by it." value={s.owner} onInput={set('owner')} error={err('owner')} />
          <TextArea name="contacts" label="Contacts" hint="One e-mail address per line." value={s.contacts} onInput={set('contacts')} error={err('contacts')} rows={2} />
          <TextField name="client_uri" label="Client homepage" value={s.client_uri} onInput={set('client_uri')} error={err('client_uri')} />
          <TextField name="logo_uri" label="Logo URL" value={s.logo_uri} onInput={set('logo_uri')} error={err('logo_uri')} />
          <TextField name="policy_uri" label="Privacy policy URL" value={s.policy_uri} onInput={set('policy_uri')} error={err('policy_uri')} />
          <TextField name="tos_uri" label="Terms of service URL" value={s.tos_uri} onInput={set('tos_uri')} error={err('tos_uri')} />
          <TextField name="frontchannel_logout_uri" label="Front-channel logout URI" hint="Loaded in an iframe when the user logs out (OpenID Connect Front-Channel Logout)." value={s.frontchannel_logout_uri} onInput={set('frontchannel_logout_uri')} error={err('frontchannel_logout_uri')} />
          <TextField name="backchannel_logout_uri" label="Back-channel logout URI" hint="Receives a logout token by POST when the user logs out." value={s.backchannel_logout_uri} onInput={set('backchannel_logout_uri')} error={err('backchannel_logout_uri')} />
          <TextField name="jwks_uri" label="JWKS URI" hint="Where the client publishes its public keys (private_key_jwt, signed request objects)." value={s.jwks_uri} onInput={set('jwks_uri')} error={err('jwks_uri')} />
          <TextArea name="metadata" label="Metadata (JSON)" hint="Anything you want to keep with the client; never shown to users." value={s.metadata} onInput={set('metadata')} error={err('metadata')} rows={3} />
        </details>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {editing ? 'Save changes' : 'Create client'}
          </button>
          <a class="button secondary" href={editing ? `#/clients/${enc(clientId)}` : '#/clients'}>
            Cancel
          </a>
        </div>
      </form>
    </>
  )
}
