// What the Yjs test scripts share: a y-websocket peer on a hub document, and waiting for a
// condition with a limit.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'

export const LIMIT_MS = 15000

// Prints `script: msg` on stderr and exits 1.
export const failer = (script) => (msg) => {
  console.error(`${script}: ${msg}`)
  process.exit(1)
}

// A fresh Y.Doc synced with `room` (e.g. `dpia/aula/base`) on `hub` with `token`.
export const connect = (hub, room, token) => {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(hub, room, doc, {
    WebSocketPolyfill: WebSocket,
    params: { token },
    disableBc: true
  })
  return { doc, provider }
}

// Resolves with `check()`'s first truthy value; rejects after LIMIT_MS or if it throws.
export const until = (what, check) =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    const tick = () => {
      let value
      try {
        value = check()
      } catch (e) {
        return reject(e)
      }
      if (value) return resolve(value)
      if (Date.now() - started > LIMIT_MS) return reject(new Error(`timed out waiting for ${what}`))
      setTimeout(tick, 10)
    }
    tick()
  })
