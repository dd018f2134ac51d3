/**
 * `effect-texas-emulator`: runs the Texas emulator (and optionally the
 * protected API and the Altinn exchange) until interrupted, printing the
 * variables to export. Both lines' testkits ship it as their command.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import { startAltinnEmulator } from "./AltinnEmulator.js"
import { startProtectedApi } from "./ProtectedApi.js"
import { isLoopback } from "./internal/emulator.js"
import { runTokenCommand } from "./internal/tokenCommand.js"
import { type IdentityProvider, startTexasEmulator } from "./TexasEmulator.js"

const usage = `Usage: effect-texas-emulator [options]
       effect-texas-emulator token <provider> [options]   (a user's token from a running one; token --help)

Runs a Texas token endpoint emulator on loopback until interrupted (Ctrl-C).
Its page (printed at start, loopback only) shows what it answered, mints users' tokens and
switches faults on.

Options:
  --port <n>          port to listen on (default 8090; 0 picks a free one)
  --host <addr>       interface to bind (default 127.0.0.1; loopback only, see below)
  --allow-non-loopback
                      let --host be another address, and answer requests addressed
                      to any host name (otherwise only localhost, 127.0.0.0/8 and
                      [::1]: others get 421); the emulator grants tokens to anyone
                      who asks, so only on a network you trust
  --providers <list>  enabled identity providers, comma-separated
                      (default maskinporten,entra_id,tokenx,idporten)
  --client-id <id>    the application's client id: the audience introspection
                      requires (default dev-gcp:team:app)
  --lifetime <s>      token lifetime in seconds (default 3600)
  --grant <scope>     grant a scope; repeat for more (default: every scope is granted)
  --entra-app <uri>   an application Entra ID knows (api://cluster.namespace.app); repeat
                      for more; a target naming another gets invalid_resource (default:
                      every application exists)
  --startup-delay <s> refuse connections for this many seconds first, as the sidecar does
                      while it loads its providers' keys (default 0)
  --probe-port <n>    also serve the sidecar's probe listener: GET / and /healthz answer
                      200 ok (0 picks a free port; default none)
  --api-scope <scope> also start a protected API that takes the emulator's tokens with this
                      scope (prints API_URL)
  --api-port <n>      the protected API's port (default 0: a free one)
  --altinn            also emulate Altinn's token exchange for Maskinporten on its own
                      origin (prints ALTINN_PLATFORM_URL), and an API that takes Altinn
                      tokens only (prints ALTINN_API_URL)
  --help              show this text
`

const parse = (args: ReadonlyArray<string>) =>
  parseArgs({
    args: [...args],
    options: {
      port: { type: "string", default: "8090" },
      host: { type: "string", default: "127.0.0.1" },
      "allow-non-loopback": { type: "boolean", default: false },
      providers: { type: "string", default: "maskinporten,entra_id,tokenx,idporten" },
      "client-id": { type: "string" },
      lifetime: { type: "string", default: "3600" },
      grant: { type: "string", multiple: true },
      "entra-app": { type: "string", multiple: true },
      "startup-delay": { type: "string", default: "0" },
      "probe-port": { type: "string" },
      "api-scope": { type: "string" },
      "api-port": { type: "string", default: "0" },
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

/** One line on standard output. */
const say = (line: string): void => {
  process.stdout.write(`${line}\n`)
}

/**
 * Runs the command with `args` (as `process.argv.slice(2)`): prints usage and
 * exits 2 on bad arguments, otherwise serves until SIGINT or SIGTERM, then
 * closes every server.
 *
 * @example
 * ```ts
 * import { runCommand } from "@effect-texas/emulator"
 *
 * // What the effect-texas-emulator command runs:
 * // await runCommand(process.argv.slice(2))
 * const start = () => runCommand(["--port", "0", "--api-scope", "skatt:some.scope"])
 * ```
 *
 * @category Command
 * @since 0.1.0
 */
export const runCommand = async (args: ReadonlyArray<string>): Promise<void> => {
  if (args[0] === "token") {
    process.exitCode = await runTokenCommand(args.slice(1))
    return
  }
  let values: ReturnType<typeof parse>
  let port: number
  let lifetimeSeconds: number
  let startupSeconds: number
  let probePort: number | undefined
  let apiPort: number
  let providers: ReadonlyArray<IdentityProvider>
  try {
    values = parse(args)
    port = wholeNumber("port", values.port)
    lifetimeSeconds = wholeNumber("lifetime", values.lifetime)
    startupSeconds = wholeNumber("startup-delay", values["startup-delay"])
    apiPort = wholeNumber("api-port", values["api-port"])
    if (!isLoopback(values.host) && !values["allow-non-loopback"]) {
      throw new Error(`refusing to listen on ${values.host}: the emulator grants tokens to anyone who can reach it; pass --allow-non-loopback to listen beyond loopback`)
    }
    probePort = values["probe-port"] === undefined ? undefined : wholeNumber("probe-port", values["probe-port"])
    providers = providerList(values.providers)
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`)
    process.exit(2)
  }
  if (values.help) {
    process.stdout.write(usage)
    process.exit(0)
  }
  if (values["allow-non-loopback"]) {
    process.stderr.write(`warning: the emulator listens on ${values.host} and grants tokens to anyone who can reach it\n`)
  }
  // Piped into `head`, the reader may go away: that ends the output, not with a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0)
    throw error
  })
  const closers: Array<() => Promise<void>> = []
  const emulator = await startTexasEmulator({
    port,
    host: values.host,
    tokenLifetime: lifetimeSeconds * 1000,
    allowNonLoopback: values["allow-non-loopback"],
    grantedScopes: values.grant,
    entraIdApplications: values["entra-app"],
    startupDelay: startupSeconds * 1000,
    probePort,
    enabledProviders: providers,
    clientId: values["client-id"]
  })
  closers.push(emulator.close)
  say(`Texas emulator listening on ${emulator.url}`)
  say(`  export NAIS_TOKEN_ENDPOINT=${emulator.tokenEndpoint}`)
  say(`  export NAIS_TOKEN_EXCHANGE_ENDPOINT=${emulator.url}/api/v1/token/exchange`)
  say(`  export NAIS_TOKEN_INTROSPECTION_ENDPOINT=${emulator.url}/api/v1/introspect`)
  say(`  JWKS: ${emulator.jwksUri}`)
  say(`  client id: ${emulator.clientId("entra_id")} (this application's name at every provider, --client-id: the audience introspection`)
  say(`    requires of users' tokens, and the application Entra ID names when a target does not let it in)`)
  if (emulator.probeUrl !== undefined) say(`  probes: ${emulator.probeUrl}/healthz`)
  say(`  page: ${emulator.pageUrl} (what the application asked, users' tokens, faults; \`effect-texas-emulator token <provider>\` prints a token)`)
  if (startupSeconds > 0) say(`  starting: connections are refused for ${startupSeconds} s`)
  const apiScope = values["api-scope"]
  if (apiScope !== undefined) {
    const api = await startProtectedApi(emulator, { requiredScope: apiScope, port: apiPort, host: values.host, allowNonLoopback: values["allow-non-loopback"] })
    closers.push(api.close)
    say(`Protected API listening on ${api.url} (takes the emulator's tokens with scope ${apiScope})`)
    say(`  export API_URL=${api.url}`)
    say(`  export SCOPE=${apiScope}`)
  }
  if (values.altinn) {
    const altinn = await startAltinnEmulator(emulator)
    closers.push(altinn.close)
    say(`Altinn token exchange emulated on ${altinn.url}`)
    say(`  export ALTINN_PLATFORM_URL=${altinn.url}`)
    const altinnApi = await startProtectedApi(emulator, { jwks: altinn.jwks, issuer: altinn.issuer, host: values.host, allowNonLoopback: values["allow-non-loopback"] })
    closers.push(altinnApi.close)
    say(`An API that takes Altinn tokens only listening on ${altinnApi.url}`)
    say(`  export ALTINN_API_URL=${altinnApi.url}`)
  }
  say("Ready: export the variables above in the shell that runs your app (Ctrl-C stops the emulator).")
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve)
    process.once("SIGTERM", resolve)
  })
  await Promise.all(closers.reverse().map((close) => close()))
}
