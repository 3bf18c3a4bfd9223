// The official Yjs client against `konsekvens hub serve` (started by tests/hub.rs with HUB,
// DPIA, TOKEN and APPEND in the environment): syncs the base document, prints what it reads
// as one JSON line, types APPEND at the end of description.summary, and exits once a second
// client has received that typing through the hub. Exits non-zero on any failure.
import * as Y from 'yjs'
import { LIMIT_MS, connect as peer, failer, until } from './peer.mjs'

const { HUB, DPIA, TOKEN, APPEND } = process.env
const fail = failer('e2e')
setTimeout(() => fail('timed out'), 2 * LIMIT_MS).unref()
const connect = () => peer(HUB, `dpia/${DPIA}/base`, TOKEN)

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
