// The demo app's three pages. Values from the request or the admin API reach the markup only
// through the `html` template, which escapes them.
import { html, type Html } from '../ui/page.js'
import { layout } from './html.js'

export const DEMO_PASSWORD = 'demo'

interface FormBase {
  action: string
  challenge: string
  csrf: string
  clientName: string
}

const hidden = (f: FormBase): Html => html`<input type="hidden" name="challenge" value="${f.challenge}">
<input type="hidden" name="csrf_token" value="${f.csrf}">`

const problem = (message: string | undefined): Html | undefined =>
  message === undefined ? undefined : html`<p class="alert error" role="alert">${message}</p>`

export function loginPage(f: FormBase & { username: string; error?: string }): string {
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
<p>Application <strong>${f.clientName}</strong> asks you to sign in.</p>
${problem(f.error)}
<form method="post" action="${f.action}">
${hidden(f)}
<div class="field"><label for="username">Username</label><input id="username" type="text" name="username" autocomplete="username" required autofocus value="${f.username}"></div>
<div class="field"><label for="password">Password</label><input id="password" type="password" name="password" autocomplete="current-password">
<span class="hint">Demo password: <code>${DEMO_PASSWORD}</code> (any username works).</span></div>
<label class="check"><input type="checkbox" name="remember" value="1"> Remember me</label>
<div class="actions"><button type="submit" name="action" value="accept">Sign in</button>
<button type="submit" name="action" value="deny" class="secondary" formnovalidate>Deny</button></div>
</form>`,
  )
}

const checkboxes = (name: string, values: readonly string[]): Html[] =>
  values.map((v) => html`<label class="check"><input type="checkbox" name="${name}" value="${v}" checked> <code>${v}</code></label>`)

export function consentPage(f: FormBase & { subject: string; scopes: readonly string[]; audiences: readonly string[] }): string {
  const scopes =
    f.scopes.length === 0
      ? html`<p>No scopes were requested.</p>`
      : html`<fieldset><legend>Requested scopes (unchecked ones are not granted)</legend>${checkboxes('grant_scope', f.scopes)}</fieldset>`
  const audiences =
    f.audiences.length === 0
      ? undefined
      : html`<fieldset><legend>Requested audiences</legend>${checkboxes('grant_audience', f.audiences)}</fieldset>`
  return layout(
    'Consent',
    html`<h1>Allow access?</h1>
<p>Hi <strong>${f.subject}</strong>, application <strong>${f.clientName}</strong> wants access to your account.</p>
<form method="post" action="${f.action}">
${hidden(f)}
${scopes}
${audiences}
<label class="check"><input type="checkbox" name="remember" value="1"> Remember this decision</label>
<div class="actions"><button type="submit" name="action" value="accept">Allow</button>
<button type="submit" name="action" value="deny" class="secondary">Deny</button></div>
</form>`,
  )
}

/** RP-Initiated Logout: the user confirms (or not) ending the session. */
export function logoutPage(f: FormBase & { subject: string }): string {
  return layout(
    'Sign out',
    html`<h1>Sign out?</h1>
<p>Hi <strong>${f.subject}</strong>${f.clientName === '' ? '' : html`, application <strong>${f.clientName}</strong> asks to sign you out`}.</p>
<form method="post" action="${f.action}">
${hidden(f)}
<div class="actions"><button type="submit" name="action" value="accept">Yes, sign me out</button>
<button type="submit" name="action" value="deny" class="secondary">No, stay signed in</button></div>
</form>`,
  )
}

export function stayedPage(): string {
  return layout('Still signed in', html`<h1>You are still signed in</h1><p>Nothing was changed. You can close this page.</p>`)
}

export function errorPage(message: string): string {
  return layout('Error', html`<h1>Something went wrong</h1>${problem(message)}<p>Start the sign-in again from the application.</p>`)
}

/** RFC 8628: the person types the code the device shows. */
export function devicePage(f: Omit<FormBase, 'clientName'> & { userCode: string; error?: string }): string {
  return layout(
    'Connect a device',
    html`<h1>Connect a device</h1>
<p>Enter the code shown on your device.</p>
${problem(f.error)}
<form method="post" action="${f.action}">
${hidden({ ...f, clientName: '' })}
<div class="field"><label for="user_code">Code</label><input id="user_code" type="text" name="user_code" autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus value="${f.userCode}"></div>
<div class="actions"><button type="submit" name="action" value="accept">Continue</button></div>
</form>`,
  )
}

export function deviceDonePage(): string {
  return layout('Device connected', html`<h1>Your device is connected</h1><p>You can close this page and return to your device.</p>`)
}
