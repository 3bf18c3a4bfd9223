// The official Yjs client against `konsekvens hub serve` (started by tests/hub.rs with HUB,
// DPIA, TOKEN and APPEND in the environment): syncs the base document, prints what it reads
// as one JSON line, types APPEND at the end of description.summary, and exits once a second
// client has received that typing through the hub. Exits non-zero on any failure.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'

const { HUB, DPIA, TOKEN, APPEND } = process.env
const LIMIT_MS = 15000

const fail = (msg) => {
  console.error(`e2e: ${msg}`)
  process.exit(1)
}
setTimeout(() => fail('timed out'), 2 * LIMIT_MS).unref()

const connect = () => {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(HUB, `dpia/${DPIA}/base`, doc, {
    WebSocketPolyfill: WebSocket,
    params: { token: TOKEN },
    disableBc: true
  })
  return { doc, provider }
}

const until = (what, check) =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    const tick = () => {
      const value = check()
      if (value) return resolve(value)
      if (Date.now() - started > LIMIT_MS) return reject(new Error(`timed out waiting for ${what}`))
      setTimeout(tick, 10)
    }
    tick()
  })

try {
  const a = connect()
  await until('the first sync', () => a.provider.synced)
  const summary = a.doc.getMap('description').get('summary')
  if (!(summary instanceof Y.Text)) fail(`description.summary is not a Y.Text: ${summary}`)
  console.log(JSON.stringify({ title: a.doc.getMap('meta').get('title'), summary: summary.toString() }))

  summary.insert(summary.length, APPEND)
  const b = connect()
  await until('the typing to reach a second client', () =>
    b.provider.synced && b.doc.getMap('description').get('summary')?.toString().endsWith(APPEND))
  for (const p of [a, b]) p.provider.destroy()
  process.exit(0)
} catch (e) {
  fail(e.message)
}
