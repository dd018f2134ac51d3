#!/usr/bin/env node
/**
 * `effect-texas-emulator`: runs the Texas emulator (and optionally the
 * protected API) until interrupted, printing the variables to export.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import { NodeRuntime } from "@effect/platform-node"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { AltinnEmulator } from "./AltinnEmulator.js"
import { ProtectedApi } from "./ProtectedApi.js"
import { type IdentityProvider, TexasEmulator } from "./TexasEmulator.js"

const usage = `Usage: effect-texas-emulator [options]

Runs a Texas token endpoint emulator on loopback until interrupted (Ctrl-C).

Options:
  --port <n>          port to listen on (default 8090; 0 picks a free one)
  --host <addr>       interface to bind (default 127.0.0.1; loopback only, see below)
  --allow-non-loopback
                      let --host be another address; the emulator grants tokens to
                      anyone who asks, so only on a network you trust
  --providers <list>  enabled identity providers, comma-separated
                      (default maskinporten,entra_id,tokenx,idporten)
  --client-id <id>    the application's client id: the audience introspection
                      requires (default dev-gcp:team:app)
  --lifetime <s>      token lifetime in seconds (default 3600)
  --grant <scope>     grant a scope; repeat for more (default: every scope is granted)
  --api-scope <scope> also start a protected API that requires this scope
  --altinn            also emulate Altinn's token exchange for Maskinporten on its own
                      origin (prints ALTINN_PLATFORM_URL)
  --help              show this text
`

const parse = () =>
  parseArgs({
    options: {
      port: { type: "string", default: "8090" },
      host: { type: "string", default: "127.0.0.1" },
      "allow-non-loopback": { type: "boolean", default: false },
      providers: { type: "string", default: "maskinporten,entra_id,tokenx,idporten" },
      "client-id": { type: "string" },
      lifetime: { type: "string", default: "3600" },
      grant: { type: "string", multiple: true },
      "api-scope": { type: "string" },
      altinn: { type: "boolean", default: false },
      help: { type: "boolean", default: false }
    }
  }).values

const wholeNumber = (name: string, text: string): number => {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, got '${text}'`)
  return value
}

const knownProviders: ReadonlyArray<IdentityProvider> = ["maskinporten", "entra_id", "tokenx", "idporten"]

const providerList = (text: string): ReadonlyArray<IdentityProvider> =>
  text.split(",").map((name) => name.trim()).filter((name) => name.length > 0).map((name) => {
    const known = knownProviders.find((provider) => provider === name)
    if (known === undefined) throw new Error(`--providers: unknown provider '${name}' (one of ${knownProviders.join(", ")})`)
    return known
  })

let values: ReturnType<typeof parse>
let port: number
let lifetimeSeconds: number
let providers: ReadonlyArray<IdentityProvider>
try {
  values = parse()
  port = wholeNumber("port", values.port)
  lifetimeSeconds = wholeNumber("lifetime", values.lifetime)
  providers = providerList(values.providers)
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`)
  process.exit(2)
}
if (values.help) {
  process.stdout.write(usage)
  process.exit(0)
}

const Emulator = TexasEmulator.layer({
  port,
  host: values.host,
  tokenLifetime: `${lifetimeSeconds} seconds`,
  allowNonLoopback: values["allow-non-loopback"],
  grantedScopes: values.grant,
  enabledProviders: providers,
  clientId: values["client-id"]
})

if (values["allow-non-loopback"]) {
  process.stderr.write(`warning: the emulator listens on ${values.host} and grants tokens to anyone who can reach it\n`)
}

const announce = Effect.gen(function*() {
  const emulator = yield* TexasEmulator
  yield* Console.log(`Texas emulator listening on ${emulator.url}`)
  yield* Console.log(`  export NAIS_TOKEN_ENDPOINT=${emulator.tokenEndpoint}`)
  yield* Console.log(`  export NAIS_TOKEN_EXCHANGE_ENDPOINT=${emulator.url}/api/v1/token/exchange`)
  yield* Console.log(`  export NAIS_TOKEN_INTROSPECTION_ENDPOINT=${emulator.url}/api/v1/introspect`)
  yield* Console.log(`  JWKS: ${emulator.jwksUri}`)
})

const announceApi = Effect.gen(function*() {
  const api = yield* ProtectedApi
  yield* Console.log(`Protected API listening on ${api.url} (requires scope ${values["api-scope"]})`)
})

const announceAltinn = Effect.gen(function*() {
  const altinn = yield* AltinnEmulator
  yield* Console.log(`Altinn token exchange emulated on ${altinn.url}`)
  yield* Console.log(`  export ALTINN_PLATFORM_URL=${altinn.url}`)
})

/** A part that announces itself, then keeps its servers running. */
const running = <E, R>(announcement: Effect.Effect<void, E, R>) => Effect.zipRight(announcement, Effect.never)

const apiScope = values["api-scope"]
const parts = [
  ...(apiScope === undefined ? [] : [running(announceApi).pipe(Effect.provide(ProtectedApi.layer({ requiredScope: apiScope })))]),
  ...(values.altinn ? [running(announceAltinn).pipe(Effect.provide(AltinnEmulator.layer()))] : [])
]

// The emulator's addresses first (scripts wait for them), then the other servers, all until interrupted.
const program = announce.pipe(
  Effect.zipRight(parts.length === 0 ? Effect.never : Effect.all(parts, { concurrency: "unbounded" })),
  Effect.provide(Emulator)
)

NodeRuntime.runMain(program)
