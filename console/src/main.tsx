// The admin console: a hash-routed Preact app on the admin listener's /console/. Every page
// talks to the admin API of the origin it was served from, and nothing else.
import { render } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { ClientForm } from './pages/client-form.js'
import { ClientView } from './pages/client-view.js'
import { ClientList } from './pages/clients.js'
import { Keys } from './pages/keys.js'
import { Overview } from './pages/overview.js'
import { Sessions } from './pages/sessions.js'
import { Trust } from './pages/trust.js'
import { TryIt } from './pages/try.js'
import { useNotices, useRoute, type Route } from './state.js'

const NAV: ReadonlyArray<readonly [string, string]> = [
  ['', 'Overview'],
  ['clients', 'Clients'],
  ['keys', 'Keys'],
  ['sessions', 'Sessions & consents'],
  ['trust', 'Trust'],
  ['try', 'Try it'],
]

function Page({ route }: { route: Route }) {
  const [section = '', id, action] = route.path
  switch (section) {
    case '':
      return <Overview />
    case 'clients':
      if (id === undefined) return <ClientList query={route.query} />
      if (id === 'new') return <ClientForm />
      if (action === 'edit') return <ClientForm clientId={id} />
      return <ClientView clientId={id} />
    case 'keys':
      return <Keys />
    case 'sessions':
      return <Sessions initialSubject={route.query.get('subject') ?? ''} />
    case 'trust':
      return <Trust />
    case 'try':
      return <TryIt initialClient={route.query.get('client') ?? ''} />
    default:
      return (
        <div class="card">
          <h1>Page not found</h1>
          <p>
            There is no console page at <code>#{route.path.join('/')}</code>. <a href="#/">Go to the overview</a>.
          </p>
        </div>
      )
  }
}

function Notices() {
  const notices = useNotices()
  return (
    <div class="notices" aria-live="polite" role="status">
      {notices.map((n) => (
        <p class={`alert ${n.kind}`} key={n.id}>
          {n.text}
        </p>
      ))}
    </div>
  )
}

function App() {
  const route = useRoute()
  const section = route.path[0] ?? ''
  const main = useRef<HTMLElement>(null)
  const loaded = useRef(false)
  // Another page: move focus to it so screen readers announce it and Tab starts there (not on
  // the first load, where Tab should start at the skip link).
  useEffect(() => {
    const title = NAV.find(([key]) => key === section)?.[1] ?? 'Admin console'
    document.title = `${title} · Orthrus admin console`
    if (loaded.current) main.current?.focus({ preventScroll: true })
    loaded.current = true
  }, [route.path.join('/')])
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="#/" aria-label="Orthrus admin console, overview">
          <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
            <rect width="32" height="32" rx="8" fill="#5234b8" />
            <path d="M7 21l3-11 4 5 2-6 2 6 4-5 3 11z" fill="#fff" />
          </svg>
          Orthrus <span class="muted">admin</span>
        </a>
        <nav aria-label="Console sections">
          <ul>
            {NAV.map(([key, label]) => (
              <li key={key}>
                <a href={`#/${key}`} aria-current={section === key ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page route={route} />
      </main>
      <Notices />
    </>
  )
}

const root = document.getElementById('app')
if (root) {
  root.textContent = ''
  render(<App />, root)
}
