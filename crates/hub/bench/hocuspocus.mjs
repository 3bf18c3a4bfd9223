// Hocuspocus with its defaults (in memory, no persistence extension), on 127.0.0.1 and the
// port in PORT (0: any free port). Prints "listening on ws://127.0.0.1:PORT" on stderr
// once it accepts connections; stops on SIGTERM. Started by crates/hub/examples/fanout.rs.
import { Server } from '@hocuspocus/server'

const server = new Server({
  port: Number(process.env.PORT ?? 0),
  address: '127.0.0.1',
  quiet: true,
  stopOnSignals: true
})
await server.listen()
console.error(`listening on ws://127.0.0.1:${server.address.port}`)
