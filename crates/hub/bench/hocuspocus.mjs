// Hocuspocus with its defaults on 127.0.0.1 and the port in PORT (0: any free port): in
// memory, or — when DATABASE names a file — with its SQLite extension storing there (with
// Hocuspocus's default debounce: a document is stored 2 s after its last change, at most
// 10 s late). Prints "listening on ws://127.0.0.1:PORT" on stderr once it accepts
// connections; stops on SIGTERM. Started by crates/hub/examples/fanout.rs.
import { Server } from '@hocuspocus/server'
import { SQLite } from '@hocuspocus/extension-sqlite'

const database = process.env.DATABASE
const server = new Server({
  port: Number(process.env.PORT ?? 0),
  address: '127.0.0.1',
  quiet: true,
  stopOnSignals: true,
  extensions: database ? [new SQLite({ database })] : []
})
await server.listen()
console.error(`listening on ws://127.0.0.1:${server.address.port}`)
