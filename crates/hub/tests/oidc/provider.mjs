// A real OpenID provider (the certified `oidc-provider`) on 127.0.0.1 for the hub's sign-in
// tests. Prints one JSON line {"issuer": …} once it listens, then answers commands on stdin,
// one per line, with one JSON line each:
//   token CLIENT USER   → {"id_token": …}: the authorization code flow with PKCE, as a
//                         browser runs it (login and consent through the provider's own
//                         development pages), the code exchanged at the token endpoint.
// Users: mette (org 101, København), lars (org 561, Esbjerg), nobody (org 999: maps to no
// organisation). Clients: konsekvens-hub (the audience the hub accepts), other-app.
//   browse USER URL [MODE] → a browser that the CLI or app sent to the authorization URL:
//                         follows redirects, signs USER in and consents through the
//                         provider's development pages, then GETs the loopback redirect
//                         (the client's listener) and answers {"status", "body"} of that
//                         page. MODE `tamper-state` changes the state first; MODE `capture`
//                         does not call the redirect and answers {"callback": URL}.
//   device USER URL       → a person on another device: opens verification_uri_complete,
//                         confirms the code, signs USER in, consents: {"done": true}.
// ID_TOKEN_TTL (seconds, default 600) makes tokens that expire quickly. The client
// konsekvens-hub may also use the device flow (RFC 8628) and refresh tokens (offline_access).
// stdout carries only the JSON answers: oidc-provider's notices (console.info) go to stderr.
console.info = (...args) => process.stderr.write(`${args.join(' ')}\n`)
import Provider from 'oidc-provider'
import { createHash, randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'

const ACCOUNTS = {
  mette: { name: 'Mette Holm', email: 'mette@kk.dk', org: '101' },
  lars: { name: 'Lars Bak', email: 'lars@esbjerg.dk', org: '561' },
  nobody: { name: 'Nanna Ingen', email: 'nanna@example.dk', org: '999' },
}
const REDIRECT = 'http://127.0.0.1/callback'
const ttl = Number(process.env.ID_TOKEN_TTL || 600)

const start = async () => {
  const server = (await import('node:http')).createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${server.address().port}`
  const provider = new Provider(issuer, {
    clients: ['konsekvens-hub', 'other-app'].map((client_id) => ({
      client_id,
      token_endpoint_auth_method: 'none',
      redirect_uris: [REDIRECT],
      grant_types: client_id === 'konsekvens-hub'
        ? ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']
        : ['authorization_code'],
      response_types: ['code'],
      application_type: 'native',
    })),
    claims: { openid: ['sub'], profile: ['name', 'org'], email: ['email'] },
    findAccount: async (ctx, id) => ACCOUNTS[id] && {
      accountId: id,
      claims: async () => ({ sub: id, ...ACCOUNTS[id] }),
    },
    // The claims go into the ID token itself (the hub never calls userinfo).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { deviceFlow: { enabled: true } },
    ttl: { IdToken: ttl, AccessToken: ttl, AuthorizationCode: 60, Interaction: 60, Session: 600, Grant: 600 },
    cookies: { keys: [randomBytes(16).toString('hex')] },
  })
  provider.proxy = false
  server.on('request', provider.callback())
  return { issuer }
}

// A cookie jar and manual redirects: what a browser does between the pages.
const browse = (base) => {
  const jar = new Map()
  const go = async (url, init = {}) => {
    const res = await fetch(new URL(url, base), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers || {}), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    })
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';')
      const i = pair.indexOf('=')
      jar.set(pair.slice(0, i), pair.slice(i + 1))
    }
    return res
  }
  return go
}

const token = async (issuer, client, user) => {
  const verifier = randomBytes(32).toString('base64url')
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  const go = browse(issuer)
  const auth = new URL('/auth', issuer)
  for (const [k, v] of Object.entries({
    client_id: client, response_type: 'code', scope: 'openid profile email', redirect_uri: REDIRECT,
    code_challenge: challenge, code_challenge_method: 'S256', state: 'st', nonce: randomBytes(8).toString('hex'),
  })) auth.searchParams.set(k, v)
  let res = await go(auth)
  let code
  for (let step = 0; step < 10 && !code; step++) {
    const location = res.headers.get('location')
    if (!location) throw new Error(`no redirect at step ${step}: ${res.status} ${await res.text()}`)
    const next = new URL(location, issuer)
    if (next.href.startsWith(REDIRECT)) {
      code = next.searchParams.get('code')
      if (!code) throw new Error(`no code: ${next.href}`)
      break
    }
    if (/^\/interaction\/[^/]+$/.test(next.pathname)) {
      const page = await go(next)
      const html = await page.text()
      const prompt = html.includes('name="login"') ? 'login' : 'consent'
      const body = new URLSearchParams(prompt === 'login' ? { prompt, login: user, password: 'x' } : { prompt })
      res = await go(next, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    } else {
      res = await go(next)
    }
  }
  const exchanged = await fetch(new URL('/token', issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: client, code_verifier: verifier }),
  })
  const json = await exchanged.json()
  if (!json.id_token) throw new Error(`no id_token: ${JSON.stringify(json)}`)
  return json.id_token
}

// Signs `user` in on an interaction page (login, then consent); the response after it.
const interact = async (go, url, user) => {
  const page = await go(url)
  const html = await page.text()
  const prompt = html.includes('name="login"') ? 'login' : 'consent'
  const body = new URLSearchParams(prompt === 'login' ? { prompt, login: user, password: 'x' } : { prompt })
  return go(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
}

// The first form of a page: its action and hidden inputs.
const form = (html, base) => {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)
  if (!action) throw new Error(`no form in ${html.slice(0, 300)}`)
  const fields = {}
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)) fields[m[1]] = m[2].replace(/&amp;/g, '&')
  return { action: new URL(action[1].replace(/&amp;/g, '&'), base), fields }
}

const browseTo = async (issuer, user, start, mode) => {
  const go = browse(issuer)
  let res = await go(start)
  for (let step = 0; step < 12; step++) {
    const location = res.headers.get('location')
    if (!location) throw new Error(`no redirect at step ${step}: ${res.status} ${(await res.text()).slice(0, 300)}`)
    const next = new URL(location, issuer)
    if (next.origin !== new URL(issuer).origin) {
      if (mode === 'capture') return { callback: next.href }
      if (mode === 'tamper-state') next.searchParams.set('state', 'forged-by-someone-else')
      const page = await fetch(next, { redirect: 'manual' })
      return { status: page.status, body: (await page.text()).slice(0, 500) }
    }
    res = /^\/interaction\/[^/]+$/.test(next.pathname) ? await interact(go, next, user) : await go(next)
  }
  throw new Error('too many redirects')
}

const device = async (issuer, user, start) => {
  const go = browse(issuer)
  const post = (f, extra = {}) => go(f.action, {
    method: 'POST',
    body: new URLSearchParams({ ...f.fields, ...extra }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
  // verification_uri_complete: a self-submitting form, then the confirmation page.
  let res = await post(form(await (await go(start)).text(), issuer))
  res = await post(form(await res.text(), issuer))
  for (let step = 0; step < 12; step++) {
    const location = res.headers.get('location')
    if (!location) {
      const text = await res.text()
      if (res.status === 200 && /success|Sign-in Success/i.test(text)) return { done: true }
      throw new Error(`device flow stopped at step ${step}: ${res.status} ${text.slice(0, 300)}`)
    }
    const next = new URL(location, issuer)
    res = /^\/interaction\/[^/]+$/.test(next.pathname) ? await interact(go, next, user) : await go(next)
  }
  throw new Error('too many redirects')
}

const { issuer } = await start()
console.log(JSON.stringify({ issuer }))
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, a, b, c] = line.trim().split(/\s+/)
  try {
    if (cmd === 'token') console.log(JSON.stringify({ id_token: await token(issuer, a, b) }))
    else if (cmd === 'browse') console.log(JSON.stringify(await browseTo(issuer, a, b, c)))
    else if (cmd === 'device') console.log(JSON.stringify(await device(issuer, a, b)))
    else throw new Error(`unknown command ${cmd}`)
  } catch (e) {
    console.log(JSON.stringify({ error: e.message }))
  }
}
