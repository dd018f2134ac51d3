/**
 * Inbound authentication in a process of its own: the emulator and two
 * servers that `requireUser` every request, one with the verdict cache (the
 * default) and one without (`cache: false`), each introspecting at the
 * emulator over loopback. `GET /cpu` on either answers this process's CPU
 * time, so the bench can read the servers' cost per request. Prints one JSON
 * line with the URLs and a user token, and runs until stdin closes.
 */
import * as Http from "node:http"
import { FetchHttpClient, HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { CurrentUser, TokenIntrospection, type TokenIntrospectionOptions } from "@effect-texas/core"
import { requireUser } from "@effect-texas/http-server"
import { startTexasEmulator } from "@effect-texas/testkit"
import { Context, Effect, Layer } from "effect"

const emulator = await startTexasEmulator()
const token = await emulator.issueUserToken({ provider: "idporten", subject: "bench-user" })

const app = HttpRouter.empty.pipe(
  HttpRouter.get("/api/me", requireUser({ identityProvider: "idporten" })(
    Effect.flatMap(CurrentUser, (user) => HttpServerResponse.json({ sub: user.claims.sub }))
  )),
  HttpRouter.get("/cpu", Effect.suspend(() => HttpServerResponse.json(process.cpuUsage())))
)

/** Serves `app` on a free loopback port for the lifetime of the scope; returns its base URL. */
const serve = (cache: TokenIntrospectionOptions["cache"]) =>
  Effect.gen(function*() {
    const introspection = TokenIntrospection.layer({ endpoint: `${emulator.url}/api/v1/introspect`, cache }).pipe(
      Layer.provide(FetchHttpClient.layer)
    )
    const server = NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
    const context = yield* Layer.build(HttpServer.serve(app).pipe(Layer.provide(introspection), Layer.provideMerge(server)))
    const address = Context.get(context, HttpServer.HttpServer).address
    return address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : ""
  })

await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
  const cached = yield* serve(undefined)
  const uncached = yield* serve(false)
  process.stdout.write(`${JSON.stringify({ cached, uncached, token })}\n`)
  process.stdin.resume()
  yield* Effect.async<void>((resume) => {
    process.stdin.on("end", () => resume(Effect.void))
  })
})))
await emulator.close()
process.exit(0)
