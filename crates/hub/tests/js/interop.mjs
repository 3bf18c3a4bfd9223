// The official Yjs client against the Konsekvens hub. Started by crates/hub/tests/interop.rs
// with HUB (ws://127.0.0.1:PORT), DPIA, TOKEN (a member token) and READER_TOKEN in the
// environment. Prints one JSON line with what it saw; exits non-zero on any failure.
import * as Y from 'yjs'
import { LIMIT_MS, connect as peer, failer, until } from './peer.mjs'

const { HUB, DPIA, TOKEN, READER_TOKEN } = process.env
const room = `dpia/${DPIA}/base`
const fail = failer('interop')
setTimeout(() => fail('timed out'), 4 * LIMIT_MS).unref()
const connect = (token) => peer(HUB, room, token)

try {
  // 1. Sync the base and read what the Rust side wrote.
  const a = connect(TOKEN)
  await until('the first sync', () => a.provider.synced)
  const meta = a.doc.getMap('meta')
  const description = a.doc.getMap('description')
  const seen = { dpia_id: meta.get('dpia_id'), title: meta.get('title') }
  const summary = description.get('summary')
  if (!(summary instanceof Y.Text)) fail(`description.summary is not a Y.Text: ${summary}`)
  seen.summary = summary.toString()

  // 2. Write: an atom in a Y.Map and typing into the Y.Text (UTF-16 offsets, æøå).
  a.doc.transact(() => {
    meta.set('title', 'AULA (fra Yjs)')
    summary.insert(summary.length, ' Tilføjet fra Yjs.')
  })
  a.provider.awareness.setLocalStateField('user', { name: 'Yjs-klient' })

  // 3. A second client sees the write and the first client's presence through the hub.
  const b = connect(TOKEN)
  await until('the second sync', () => b.provider.synced)
  await until('the write to arrive', () => b.doc.getMap('meta').get('title') === 'AULA (fra Yjs)')
  const presence = await until('presence', () => b.provider.awareness.getStates().get(a.doc.clientID))
  seen.presence = presence.user?.name

  // 4. A reader's write is refused with y-protocols' permission-denied message.
  let denied = null
  const warn = console.warn
  console.warn = (...args) => {
    const text = args.join(' ')
    if (text.includes('Permission denied')) denied = text
    else warn(...args)
  }
  const r = connect(READER_TOKEN)
  await until('the reader sync', () => r.provider.synced)
  r.doc.getMap('meta').set('title', 'Skrevet af en læser')
  await until('the refusal', () => denied)
  seen.denied = denied.split('\n').slice(1).join(' ')
  console.warn = warn
  // ... and the others never see it: a fresh client still reads the member's title.
  const c = connect(TOKEN)
  await until('a fresh sync', () => c.provider.synced)
  seen.after_refusal = c.doc.getMap('meta').get('title')

  for (const p of [a, b, r, c]) p.provider.destroy()
  console.log(JSON.stringify(seen))
  process.exit(0)
} catch (e) {
  fail(e.message)
}
