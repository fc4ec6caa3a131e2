// The built-in demo login & consent app (dev only), mounted on the public listener at Hydra's
// fallback pages. It reaches Orthrus solely through the admin API over HTTP (dev-ui/admin-api.ts),
// so it behaves exactly like the external app a team replaces it with (examples/login-consent/).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AdminApi, AdminApiError, type FlowKind } from '../dev-ui/admin-api.js'
import { FormGuard } from '../dev-ui/csrf.js'
import { PAGE_HEADERS } from '../dev-ui/html.js'
import type { DevUiOptions, DevUiPage } from '../dev-ui/mount.js'
import { consentPage, DEMO_PASSWORD, deviceDonePage, devicePage, errorPage, loginPage, logoutPage, stayedPage } from '../dev-ui/pages.js'
import { parseCookieHeader } from './cookies.js'
import { parseForm } from './form.js'
import type { Route, RouteGroup } from './route-table.js'

const CSRF_COOKIE = 'orthrus_dev_ui_csrf'
// Hydra's example app remembers decisions for an hour.
const REMEMBER_FOR_SECONDS = 3600
const DENIED = { error: 'access_denied', error_description: 'The resource owner denied the request' }

type Fields = Record<string, string | string[] | undefined>

/** A single-valued field; a repeated one counts as missing, so nothing is picked by position. */
const one = (fields: Fields, name: string): string | undefined => {
  const v = fields[name]
  return typeof v === 'string' ? v : undefined
}
const many = (fields: Fields, name: string): string[] => {
  const v = fields[name]
  return v === undefined ? [] : typeof v === 'string' ? [v] : v
}

const page = (reply: FastifyReply, status: number, body: string): FastifyReply => reply.code(status).headers(PAGE_HEADERS).send(body)

// 303 after a form post so the browser follows with GET; plain 302 from a GET, as Hydra's app.
const redirect = (reply: FastifyReply, status: 302 | 303, location: string): FastifyReply =>
  reply.code(status).header('location', location).header('cache-control', 'no-store').send()

export function devUiRoutes(opts: DevUiOptions): RouteGroup {
  const api = new AdminApi(opts.adminUrl)
  const guard = new FormGuard(CSRF_COOKIE, opts.secureCookies, opts.cookiePath)

  const csrfFor = (request: FastifyRequest, reply: FastifyReply, kind: DevUiPage, challenge: string): string => {
    const { token, setCookie } = guard.token(parseCookieHeader(request.headers.cookie).get(CSRF_COOKIE))
    if (setCookie !== undefined) reply.header('set-cookie', setCookie)
    return guard.field(token, kind, challenge)
  }

  /** Reads a posted form and checks its CSRF field; undefined after an error page was sent. */
  const postedForm = (request: FastifyRequest, reply: FastifyReply, kind: DevUiPage): { fields: Fields; challenge: string } | undefined => {
    const fields = (request.body ?? {}) as Fields
    const challenge = one(fields, 'challenge')
    const cookie = parseCookieHeader(request.headers.cookie).get(CSRF_COOKIE)
    if (challenge === undefined || challenge === '' || !guard.check(cookie, one(fields, 'csrf_token'), kind, challenge)) {
      void page(reply, 403, errorPage('This form could not be verified (missing or invalid CSRF token). Reload the page and try again.'))
      return undefined
    }
    return { fields, challenge }
  }

  const challengeOf = (request: FastifyRequest, kind: FlowKind): string | undefined => {
    const v = (request.query as Fields)[`${kind}_challenge`]
    return typeof v === 'string' && v !== '' ? v : undefined
  }

  /** Admin API failures become an error page; anything else goes to the app's error renderer. */
  const guarded =
    (handler: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      try {
        return await handler(request, reply)
      } catch (err) {
        if (!(err instanceof AdminApiError)) throw err
        const status = err.status >= 500 ? (err.status === 503 ? 503 : 502) : err.status
        return page(reply, status, errorPage(`The admin API refused the request: ${err.message}`))
      }
    }

  const routes: Route[] = []
  const add = (method: 'GET' | 'POST', url: string, handler: Route['handler']): void => {
    const name = url.replace('/oauth2/fallbacks/', '')
    const id = name.split('/').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')
    routes.push({
      method,
      url,
      operationId: method === 'GET' ? `getFallback${id}Page` : `postOauth2Fallbacks${id}`,
      summary: method === 'GET' ? `The --dev demo app's ${name} page` : `The --dev demo app's ${name} form`,
      tags: ['fallbacks'],
      responses: { '200': 'An HTML page', '303': 'On to the next step' },
      handler,
    })
  }
  // Its own small forms, never multipart.
  const setup = (app: FastifyInstance): void => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
      done(null, parseForm(typeof body === 'string' ? body : body.toString('utf8')))
    })
  }

    if (opts.pages.has('login')) {
      add(
        'GET',
        '/oauth2/fallbacks/login',
        guarded(async (request, reply) => {
          const challenge = challengeOf(request, 'login')
          if (challenge === undefined) return page(reply, 400, errorPage('The login_challenge parameter is missing.'))
          const fetched = await api.get('login', challenge)
          if (fetched.kind === 'handled') return redirect(reply, 302, fetched.redirectTo)
          const { request: login } = fetched
          // Hydra already authenticated this browser (remembered session): confirm at once.
          if (login.skip) return redirect(reply, 302, await api.answer('login', 'accept', challenge, { subject: login.subject }))
          const csrf = csrfFor(request, reply, 'login', challenge)
          return page(reply, 200, loginPage({ action: 'login', challenge, csrf, clientName: login.clientName, username: '' }))
        }),
      )
      add(
        'POST',
        '/oauth2/fallbacks/login',
        guarded(async (request, reply) => {
          const form = postedForm(request, reply, 'login')
          if (form === undefined) return reply
          const { fields, challenge } = form
          if (one(fields, 'action') === 'deny') return redirect(reply, 303, await api.answer('login', 'reject', challenge, DENIED))
          const username = (one(fields, 'username') ?? '').trim()
          if (username === '' || one(fields, 'password') !== DEMO_PASSWORD) {
            const fetched = await api.get('login', challenge)
            if (fetched.kind === 'handled') return redirect(reply, 303, fetched.redirectTo)
            const csrf = csrfFor(request, reply, 'login', challenge)
            const error = username === '' ? 'Enter a username.' : `Wrong password: the demo password is "${DEMO_PASSWORD}".`
            return page(reply, 400, loginPage({ action: 'login', challenge, csrf, clientName: fetched.request.clientName, username, error }))
          }
          const remember = one(fields, 'remember') === '1'
          const body = { subject: username, remember, ...(remember ? { remember_for: REMEMBER_FOR_SECONDS } : {}) }
          return redirect(reply, 303, await api.answer('login', 'accept', challenge, body))
        }),
      )
    }

    if (opts.pages.has('consent')) {
      add(
        'GET',
        '/oauth2/fallbacks/consent',
        guarded(async (request, reply) => {
          const challenge = challengeOf(request, 'consent')
          if (challenge === undefined) return page(reply, 400, errorPage('The consent_challenge parameter is missing.'))
          const fetched = await api.get('consent', challenge)
          if (fetched.kind === 'handled') return redirect(reply, 302, fetched.redirectTo)
          const { request: consent } = fetched
          // The user consented to this client before and asked to be remembered.
          if (consent.skip) {
            const body = { grant_scope: consent.requestedScope, grant_access_token_audience: consent.requestedAudience }
            return redirect(reply, 302, await api.answer('consent', 'accept', challenge, body))
          }
          const csrf = csrfFor(request, reply, 'consent', challenge)
          return page(
            reply,
            200,
            consentPage({
              action: 'consent',
              challenge,
              csrf,
              clientName: consent.clientName,
              subject: consent.subject,
              scopes: consent.requestedScope,
              audiences: consent.requestedAudience,
            }),
          )
        }),
      )
      add(
        'POST',
        '/oauth2/fallbacks/consent',
        guarded(async (request, reply) => {
          const form = postedForm(request, reply, 'consent')
          if (form === undefined) return reply
          const { fields, challenge } = form
          if (one(fields, 'action') === 'deny') return redirect(reply, 303, await api.answer('consent', 'reject', challenge, DENIED))
          const fetched = await api.get('consent', challenge)
          if (fetched.kind === 'handled') return redirect(reply, 303, fetched.redirectTo)
          // Only what was asked for can be granted, whatever the posted form says.
          const scopes = new Set(many(fields, 'grant_scope'))
          const audiences = new Set(many(fields, 'grant_audience'))
          const remember = one(fields, 'remember') === '1'
          const body = {
            grant_scope: fetched.request.requestedScope.filter((s) => scopes.has(s)),
            grant_access_token_audience: fetched.request.requestedAudience.filter((a) => audiences.has(a)),
            remember,
            ...(remember ? { remember_for: REMEMBER_FOR_SECONDS } : {}),
          }
          return redirect(reply, 303, await api.answer('consent', 'accept', challenge, body))
        }),
      )
    }

    if (opts.pages.has('device')) {
      add(
        'GET',
        '/oauth2/fallbacks/device',
        guarded(async (request, reply) => {
          const challenge = challengeOf(request, 'device')
          if (challenge === undefined) return page(reply, 400, errorPage('The device_challenge parameter is missing: open the link your device shows.'))
          // verification_uri_complete brings the code along; the person still confirms it.
          const given = (request.query as Fields)['user_code']
          const userCode = typeof given === 'string' ? given.slice(0, 32) : ''
          const csrf = csrfFor(request, reply, 'device', challenge)
          return page(reply, 200, devicePage({ action: 'device', challenge, csrf, userCode }))
        }),
      )
      add(
        'POST',
        '/oauth2/fallbacks/device',
        guarded(async (request, reply) => {
          const form = postedForm(request, reply, 'device')
          if (form === undefined) return reply
          const { fields, challenge } = form
          const userCode = (one(fields, 'user_code') ?? '').trim().slice(0, 32)
          try {
            return redirect(reply, 303, await api.answer('device', 'accept', challenge, { user_code: userCode }))
          } catch (err) {
            // A wrong code: ask again, with the admin API's reason (attempts left).
            if (!(err instanceof AdminApiError) || err.status !== 400) throw err
            const csrf = csrfFor(request, reply, 'device', challenge)
            return page(reply, 400, devicePage({ action: 'device', challenge, csrf, userCode, error: err.message }))
          }
        }),
      )
    }

    if (opts.pages.has('device_done')) {
      add('GET', '/oauth2/fallbacks/device/done', async (_request, reply) => page(reply, 200, deviceDonePage()))
    }

    if (opts.pages.has('logout')) {
      add(
        'GET',
        '/oauth2/fallbacks/logout',
        guarded(async (request, reply) => {
          const challenge = challengeOf(request, 'logout')
          if (challenge === undefined) return page(reply, 400, errorPage('The logout_challenge parameter is missing.'))
          const fetched = await api.get('logout', challenge)
          if (fetched.kind === 'handled') return redirect(reply, 302, fetched.redirectTo)
          const csrf = csrfFor(request, reply, 'logout', challenge)
          const { clientName, subject } = fetched.request
          return page(reply, 200, logoutPage({ action: 'logout', challenge, csrf, clientName, subject }))
        }),
      )
      add(
        'POST',
        '/oauth2/fallbacks/logout',
        guarded(async (request, reply) => {
          const form = postedForm(request, reply, 'logout')
          if (form === undefined) return reply
          if (one(form.fields, 'action') !== 'accept') {
            await api.rejectLogout(form.challenge)
            return page(reply, 200, stayedPage())
          }
          return redirect(reply, 303, await api.answer('logout', 'accept', form.challenge, {}))
        }),
      )
    }
  return { setup, routes }
}
