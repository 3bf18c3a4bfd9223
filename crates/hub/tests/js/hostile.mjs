// A hostile raw WebSocket client and the official Yjs client on the same hub document.
// Started by crates/hub/tests/interop.rs with HUB, DPIA, TOKEN (København's member token)
// and ESB_TOKEN (Esbjerg's). The raw client sends presence that is not JSON (which makes
// y-websocket's awareness handler throw, so it never syncs, if a hub relays it) and presence
// claiming KL's organisation; then y-websocket clients must still sync, write and see the
// claim corrected by the hub. Prints one JSON line; exits non-zero on any failure.
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import { LIMIT_MS, connect as peer, failer, until } from './peer.mjs'

const { HUB, DPIA, TOKEN, ESB_TOKEN } = process.env
const room = `dpia/${DPIA}/base`
const fail = failer('hostile')
setTimeout(() => fail('timed out'), 4 * LIMIT_MS).unref()

// One y-protocols awareness message with one entry.
const awareness = (clientID, clock, json) => {
  const inner = encoding.createEncoder()
  encoding.writeVarUint(inner, 1)
  encoding.writeVarUint(inner, clientID)
  encoding.writeVarUint(inner, clock)
  encoding.writeVarString(inner, json)
  const outer = encoding.createEncoder()
  encoding.writeVarUint(outer, 1) // messageAwareness
  encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner))
  return encoding.toUint8Array(outer)
}

try {
  // 1. The hostile client: not JSON, then a claim to be KL, and it stays connected.
  const raw = new WebSocket(`${HUB}/${room}?token=${ESB_TOKEN}`)
  raw.binaryType = 'arraybuffer'
  await new Promise((resolve, reject) => {
    raw.on('open', resolve)
    raw.on('error', reject)
  })
  raw.send(awareness(424242, 1, '{not json'))
  raw.send(awareness(424243, 1, '{"user":{"name":"KL\'s DPO","org":"KL","orgName":"KL / KOMBIT"}}'))
  await new Promise((resolve) => setTimeout(resolve, 300))

  // 2. The official client syncs, writes and sees the corrected presence.
  const a = peer(HUB, room, TOKEN)
  await until('the first sync', () => a.provider.synced)
  const claim = await until('the claim', () => a.provider.awareness.getStates().get(424243))
  const seen = {
    malformed_relayed: a.provider.awareness.getStates().has(424242),
    claimed_org: claim.user?.org,
    claimed_org_name: claim.user?.orgName
  }
  a.doc.getMap('meta').set('title', 'AULA (efter angreb)')
  const b = peer(HUB, room, TOKEN)
  await until('the second sync', () => b.provider.synced)
  seen.title = await until('the write', () => b.doc.getMap('meta').get('title') === 'AULA (efter angreb)' && 'AULA (efter angreb)')
  // b sees a's presence stamped with København.
  a.provider.awareness.setLocalStateField('user', { name: 'Yjs-klient', org: 'KL' })
  const own = await until('a\'s presence', () => b.provider.awareness.getStates().get(a.doc.clientID)?.user?.orgName)
  seen.own_org_name = own
  raw.close()
  for (const p of [a, b]) p.provider.destroy()
  console.log(JSON.stringify(seen))
  process.exit(0)
} catch (e) {
  fail(e.message)
}
