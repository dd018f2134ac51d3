/**
 * A development aid for figure 2 (not part of `npm run bench`): where does
 * `authenticate()` spend its time when a real response comes back? Builds the
 * middleware up step by step on the same undici client against
 * bench/servers.ts and measures client CPU per request of each step (at
 * concurrency 1 unless told), in alternated rounds, so each step's added cost shows.
 * Usage: npx tsx bench/profile2.ts [rounds] [concurrency]
 */
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { type TokenRequest, TokenService } from "@effect-texas/core"
import { authenticateFrom, authenticateWith } from "@effect-texas/http-client"
import { Effect, Layer } from "effect"
import { redactRequest } from "../../packages/http-client/src/internal/redactedResponse.js"

const scope = "skatt:some.scope"
const rounds = Number(process.argv[2] ?? 10)
const concurrency = Number(process.argv[3] ?? 1)
const child = spawn(process.execPath, ["--import", "tsx", new URL("../servers.ts", import.meta.url).pathname, scope], { stdio: ["pipe", "pipe", "inherit"] })
const servers = await new Promise<{ tokenEndpoint: string; apiUrl: string }>((resolve) =>
  createInterface({ input: child.stdout! }).once("line", (line) => resolve(JSON.parse(line) as { tokenEndpoint: string; apiUrl: string })))
const request: TokenRequest = Object.freeze({ identityProvider: "maskinporten", target: scope })

const program = Effect.gen(function*() {
  const tokens = yield* TokenService
  const base = yield* HttpClient.HttpClient
  const token = yield* tokens.token(request)
  const url = `${servers.apiUrl}/api/hello`
  const steps: ReadonlyArray<readonly [string, HttpClient.HttpClient.With<unknown>]> = [
    ["fixed header (mapRequest)", base.pipe(HttpClient.mapRequest(HttpClientRequest.bearerToken(token.accessToken)))],
    ["mapRequestEffect, fixed token", HttpClient.mapRequestEffect(base, (r) => Effect.succeed(HttpClientRequest.bearerToken(r, token.accessToken)))],
    ["mapRequestEffect + the redacted-response wrapper", HttpClient.transformResponse(
      HttpClient.mapRequestEffect(base, (r) => Effect.succeed(HttpClientRequest.bearerToken(r, token.accessToken))),
      Effect.map(redactRequest)
    )],
    ["authenticateFrom, fixed token", base.pipe(authenticateFrom({ token: Effect.succeed(token), renew: () => Effect.succeed(token) }, { allowedOrigins: [servers.apiUrl] }))],
    ["authenticateWith (the SDK)", base.pipe(authenticateWith(Effect.succeed(tokens), { ...request, allowedOrigins: [servers.apiUrl] }))]
  ]
  const measure = (client: HttpClient.HttpClient.With<unknown>) =>
    Effect.gen(function*() {
      const one = Effect.flatMap(client.get(url), (response) => response.arrayBuffer)
      const deadline = performance.now() + 1000
      let count = 0
      const cpu = process.cpuUsage()
      const worker = Effect.gen(function*() {
        while (performance.now() < deadline) {
          yield* one
          count++
        }
      })
      yield* Effect.all(Array.from({ length: concurrency }, () => worker), { concurrency: "unbounded", discard: true })
      const used = process.cpuUsage(cpu)
      return (used.user + used.system) / count
    })
  const results = steps.map(() => [] as Array<number>)
  for (const [, client] of steps) yield* measure(client)
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? steps.map((_, i) => i) : steps.map((_, i) => steps.length - 1 - i)
    for (const i of order) results[i]!.push(yield* measure(steps[i]![1]))
  }
  const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!
  steps.forEach(([name], i) => console.log(`${median(results[i]!).toFixed(1).padStart(8)} µs CPU/request at concurrency ${concurrency}  ${name}`))
}).pipe(
  Effect.provide(Layer.mergeAll(TokenService.layer({ endpoint: servers.tokenEndpoint }).pipe(Layer.provide(FetchHttpClient.layer)), NodeHttpClient.layerUndici))
)
await Effect.runPromise(program)
child.stdin!.end()
