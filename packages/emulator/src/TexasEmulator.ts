/**
 * A Texas emulator: a real HTTP server on loopback that speaks the token
 * endpoint's protocol, caches like the sidecar and signs real RS256 JWTs.
 * Plain TypeScript, no Effect: each line's testkit wraps it as a `Layer`.
 *
 * @since 0.1.0
 */
import * as Http from "node:http"
import type * as Jose from "jose"
import { type DurationInput, toMillis } from "./Duration.js"
import type { EmulatorStats, RecordedRequest } from "./EmulatorLog.js"
import type { TexasEmulatorOptions, UserTokenOptions } from "./EmulatorOptions.js"
import type { Fault } from "./Fault.js"
import * as HttpIo from "./internal/http.js"
import { countArrival, isLoopback, makeHandle, makeSidecar, makeState } from "./internal/emulator.js"
import type { IdentityProvider } from "./internal/providers.js"
import * as Dev from "./internal/devtools.js"
import * as Routes from "./internal/routes.js"

// ---- Models ------------------------------------------------------------------

export type {
  /**
   * An identity provider as the sidecar names it (`azuread` is accepted as an alias of `entra_id`).
   *
   * @category Models
   * @since 0.1.0
   */
  IdentityProvider
} from "./internal/providers.js"

export type { ProviderOptions, ProvidersOptions, TexasEmulatorOptions, UserTokenOptions } from "./EmulatorOptions.js"

/**
 * A running emulator, driven from plain TypeScript. Every control is synchronous.
 *
 * @category Models
 * @since 0.1.0
 */
export interface TexasEmulatorHandle {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** `POST` endpoint for machine tokens: the value for `NAIS_TOKEN_ENDPOINT`. */
  readonly tokenEndpoint: string
  /** The JWKS with every provider's key (each provider's own is at `/<provider>/jwks`). */
  readonly jwksUri: string
  /** The public keys, for in-process verification. */
  readonly jwks: Jose.JSONWebKeySet
  /** The `iss` claim of tokens from `provider`, which introspection requires. */
  readonly issuer: (provider: IdentityProvider) => string
  /** The application's client id at `provider`, which introspection requires as `aud` (but for Maskinporten). */
  readonly clientId: (provider: IdentityProvider) => string
  /** The emulator's clock in epoch milliseconds: real time plus every `advance`. */
  readonly now: () => number
  /** Script the next `times` answers (default 1) of the token endpoint. */
  readonly inject: (fault: Fault, times?: number) => void
  /**
   * Answer each token request with `fault` with the given probability (0 to 1),
   * until `reset` or a probability of 0; scripted faults from `inject` go first.
   * With a `seed`, the n-th request's draw is the same in every run (a
   * repeatable fault sequence); without, `Math.random`.
   */
  readonly injectRandomly: (fault: Fault, probability: number, seed?: number) => void
  /** Every request received, oldest first. */
  readonly requests: () => ReadonlyArray<RecordedRequest>
  readonly stats: () => EmulatorStats
  /** Every access token the emulator has signed (the most recent `requestLogLimit`), for scanning logs for leaks. */
  readonly issuedTokens: () => ReadonlyArray<string>
  /**
   * Signs a user's token as `provider` would after a login, for the
   * application to receive (exchange, introspect). It counts as issued.
   */
  readonly issueUserToken: (options: UserTokenOptions) => Promise<string>
  /**
   * Take `token` (signed elsewhere, or not a JWT at all) as issued by
   * `provider` for exchange and introspection, until `reset`. Its claims are
   * read without verification; its `exp`, if any, still counts.
   */
  readonly accept: (token: string, provider: IdentityProvider) => void
  /** Grant scopes (or Entra ID targets) to the organisation. */
  readonly grant: (...scopes: ReadonlyArray<string>) => void
  /** Revoke scopes; with no grants left explicit, nothing is granted. */
  readonly revoke: (...scopes: ReadonlyArray<string>) => void
  /** Move the emulator's clock forward: cached tokens age, new tokens are issued at the new time. */
  readonly advance: (duration: DurationInput) => void
  /** Forget requests, counters, faults, the cache and the clock offset; grants go back to the options'. */
  readonly reset: () => void
  /**
   * The emulator's page for local development (`<url>/emulator`, loopback only): its providers
   * and grants, a live log of the requests it answered, a form to mint users' tokens, and fault
   * controls. The same port answers `POST /emulator/api/tokens` (mint a user's token; JSON in, JSON out).
   */
  readonly pageUrl: string
  /** The probe listener's base URL (`GET /healthz`), when `probePort` was given. */
  readonly probeUrl: string | undefined
  /**
   * The sidecar restarts: its ports (API and probe) refuse connections for
   * `duration`, then serve again, as while it starts. Resolves once they are
   * closed; cached tokens survive (use `reset` to forget them).
   */
  readonly restart: (duration: DurationInput) => Promise<void>
  /** Stop listening and close every connection. */
  readonly close: () => Promise<void>
}

// ---- Constructor -------------------------------------------------------------

/**
 * Starts an emulator from plain TypeScript; call `close()` when done.
 *
 * @example
 * ```ts
 * import { startTexasEmulator } from "@effect-texas/emulator"
 *
 * const emulator = await startTexasEmulator({ grantedScopes: ["skatt:some.scope"] })
 * const answer = await fetch(emulator.tokenEndpoint, {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ identity_provider: "maskinporten", target: "skatt:some.scope" })
 * })
 * console.log(answer.status) // 200
 * await emulator.close()
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const startTexasEmulator = async (options: TexasEmulatorOptions = {}): Promise<TexasEmulatorHandle> => {
  const host = options.host ?? "127.0.0.1"
  if (!isLoopback(host) && options.allowNonLoopback !== true) {
    throw new Error(`refusing to listen on ${host}: the emulator grants tokens to anyone who asks; set allowNonLoopback to listen beyond loopback`)
  }
  const state = makeState(options)
  let url = ""
  const sidecar = await makeSidecar(options, state, () => url)
  const routes: Routes.RouteContext = {
    sidecar,
    nextFault: state.nextFault,
    arrived: countArrival(state),
    faulted: () => state.counters.faults++,
    record: (entry) => {
      state.recorded++
      state.log.push(entry)
    }
  }
  // The development routes need the handle, made once the port is bound.
  const dev: { context?: Dev.DevContext } = {}
  const allowNonLoopback = options.allowNonLoopback === true
  const server = Http.createServer(HttpIo.loopbackOnly(allowNonLoopback, (request, response) => {
    const answering = dev.context !== undefined && Dev.isDevPath((request.url ?? "/").split("?")[0]!)
      ? Dev.handleDev(dev.context, request, response)
      : Routes.handle(routes, request, response)
    answering.catch((error: unknown) => Routes.internalError(response, error))
  }))
  // A client that disconnects mid-request must not take the emulator down.
  server.on("clientError", (_error, socket) => socket.destroy())
  const starting = toMillis(options.startupDelay ?? 0)
  const listeners = [await HttpIo.listener(server, options.port ?? 0, host, starting)]
  if (options.probePort !== undefined) listeners.push(await HttpIo.listener(HttpIo.probeServer(allowNonLoopback), options.probePort, host, starting))
  url = HttpIo.baseUrl(host, listeners[0]!.port)
  const handle = makeHandle(url, sidecar, state, {
    probeUrl: listeners[1] === undefined ? undefined : HttpIo.baseUrl(host, listeners[1].port),
    restart: async (duration) => {
      await Promise.all(listeners.map((listener) => listener.refuseFor(toMillis(duration))))
    },
    close: async () => {
      await Promise.all(listeners.map((listener) => listener.close()))
    }
  })
  dev.context = { state, sidecar, handle, entraIdApplications: options.entraIdApplications }
  return handle
}
