/**
 * An emulator of Altinn's token exchange for Maskinporten, beside the Texas
 * emulator: `GET /authentication/api/v1/exchange/maskinporten` on an origin
 * of its own (the "platform URL"), trusting the Texas emulator's Maskinporten
 * key and clock.
 *
 * @since 0.1.0
 */
import * as Http from "node:http"
import * as Jose from "jose"
import { type DurationInput, toMillis } from "./Duration.js"
import type { Fault } from "./Fault.js"
import * as Altinn from "./internal/altinn.js"
import { isLoopback } from "./internal/emulator.js"
import * as HttpIo from "./internal/http.js"
import { applyFault } from "./internal/routes.js"
import type { TexasEmulatorHandle } from "./TexasEmulator.js"

// ---- Models ------------------------------------------------------------------

/**
 * Settings of the Altinn emulator.
 *
 * @category Options
 * @since 0.1.0
 */
export interface AltinnEmulatorOptions {
  /** @default 0 (a free port) */
  readonly port?: number | undefined
  /** @default "127.0.0.1" */
  readonly host?: string | undefined
  /**
   * Lifetime of an Altinn token; it never outlives the Maskinporten token it was exchanged for.
   * @default the Maskinporten token's own expiry
   */
  readonly tokenLifetime?: DurationInput | undefined
  /**
   * How the token is answered: as plain text (Altinn's way), or as a JSON
   * string (as some clients and gateways see it). A request that accepts only
   * JSON gets a JSON string either way.
   * @default "text"
   */
  readonly answerFormat?: "text" | "json-string" | undefined
}

/**
 * One request the Altinn emulator received.
 *
 * @category Models
 * @since 0.1.0
 */
export interface AltinnRequest {
  readonly method: string
  readonly path: string
  /** Whether `?test=true` asked for a token as the test department. */
  readonly test: boolean
  readonly authorization: "none" | "bearer" | "other"
  /** The status answered, or `"dropped"` / `"truncated"` for socket-level faults. */
  readonly answer: number | "dropped" | "truncated"
  readonly fault: Fault["_tag"] | undefined
  /** Why a token was refused (never the token). */
  readonly refusal: string | undefined
}

/**
 * A running Altinn emulator.
 *
 * @category Models
 * @since 0.1.0
 */
export interface AltinnEmulatorHandle {
  /** The platform URL, as `AltinnToken.layer({ platformUrl })` takes it. */
  readonly url: string
  /** The exchange endpoint's full URL. */
  readonly exchangeEndpoint: string
  /** The `iss` of the Altinn tokens it signs. */
  readonly issuer: string
  /** The public key of the Altinn tokens, for APIs that check them (`startProtectedApi(..., { jwks, issuer })`). */
  readonly jwks: Jose.JSONWebKeySet
  /** Script the next `times` answers (default 1) of the exchange endpoint. */
  readonly inject: (fault: Fault, times?: number) => void
  /** Every request received, oldest first (the most recent 10,000). */
  readonly requests: () => ReadonlyArray<AltinnRequest>
  /** Altinn tokens issued since start or `reset`. */
  readonly exchanges: () => number
  /** Every Altinn token signed (the most recent 10,000), for leak scans. */
  readonly issuedTokens: () => ReadonlyArray<string>
  /** Forget requests, faults and counters. */
  readonly reset: () => void
  readonly close: () => Promise<void>
}

// ---- Constructor -------------------------------------------------------------

const logLimit = 10_000

const authorizationKind = (value: string | undefined): AltinnRequest["authorization"] =>
  value === undefined ? "none" : /^Bearer /.test(value) ? "bearer" : "other"

// Altinn's signing key: made once per process, as the Texas emulators' keys are (internal/keys.ts).
let processKey: Promise<{ readonly privateKey: Jose.CryptoKey; readonly jwk: Jose.JWK }> | undefined
const altinnKey = () =>
  (processKey ??= Jose.generateKeyPair("RS256", { extractable: true }).then(async ({ privateKey, publicKey }) => ({
    privateKey,
    jwk: { ...(await Jose.exportJWK(publicKey)), kid: "altinn", alg: "RS256", use: "sig" }
  })))

/**
 * Starts the Altinn emulator, trusting `texas`'s Maskinporten key, issuer and clock.
 *
 * @example
 * ```ts
 * import { startAltinnEmulator, startTexasEmulator } from "@effect-texas/emulator"
 *
 * const texas = await startTexasEmulator()
 * const altinn = await startAltinnEmulator(texas)
 * console.log(altinn.exchangeEndpoint) // http://127.0.0.1:<port>/authentication/api/v1/exchange/maskinporten
 * await altinn.close()
 * await texas.close()
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const startAltinnEmulator = async (
  texas: TexasEmulatorHandle,
  options: AltinnEmulatorOptions = {}
): Promise<AltinnEmulatorHandle> => {
  const host = options.host ?? "127.0.0.1"
  if (!isLoopback(host)) throw new Error(`refusing to listen on ${host}: the Altinn emulator listens on loopback only`)
  const { privateKey, jwk } = await altinnKey()
  const maskinportenKeys = Jose.createLocalJWKSet({ keys: texas.jwks.keys.filter((key) => key.kid === "maskinporten") })
  let faults: Array<Fault> = []
  let log: Array<AltinnRequest> = []
  let issued: Array<string> = []
  let exchanged = 0
  let url = ""

  const context = (): Altinn.ExchangeContext => ({
    maskinportenKeys,
    maskinportenIssuer: texas.issuer("maskinporten"),
    now: texas.now,
    issuer: `${url}/authentication/api/v1/openid/`,
    lifetimeMs: options.tokenLifetime === undefined ? undefined : toMillis(options.tokenLifetime),
    sign: (claims) => new Jose.SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "altinn", typ: "JWT" }).sign(privateKey)
  })

  const handle = async (request: Http.IncomingMessage, response: Http.ServerResponse): Promise<void> => {
    const target = new URL(request.url ?? "/", "http://altinn.invalid")
    const authorization = HttpIo.header(request, "authorization")
    const test = target.searchParams.get("test")?.toLowerCase() === "true"
    const save = (answer: AltinnRequest["answer"], fault?: Fault["_tag"], refusal?: string) => {
      log.push({ method: request.method ?? "GET", path: target.pathname, test, authorization: authorizationKind(authorization), answer, fault, refusal })
      if (log.length > logLimit * 2) log = log.slice(-logLimit)
    }
    if (target.pathname === Altinn.jwksPath && request.method === "GET") {
      HttpIo.sendJson(response, 200, { keys: [jwk] })
      return save(200)
    }
    if (target.pathname !== Altinn.exchangePath) {
      HttpIo.sendText(response, 404, "text/plain", "")
      return save(404)
    }
    if (request.method !== "GET") {
      HttpIo.sendText(response, 405, "text/plain", "", { allow: "GET" })
      return save(405)
    }
    const fault = faults.shift()
    if (fault !== undefined) {
      const faulted = await applyFault(fault, response, "altinn")
      if (faulted !== undefined) return save(faulted, fault._tag)
    }
    const outcome = await Altinn.exchange(context(), authorization, test)
    if (outcome._tag === "Refused") {
      HttpIo.sendText(response, 401, "text/plain", "", { "www-authenticate": "Bearer" })
      return save(401, fault?._tag, outcome.reason)
    }
    exchanged++
    issued.push(outcome.token)
    if (issued.length > logLimit * 2) issued = issued.slice(-logLimit)
    const body = Altinn.answerBody(outcome.token, options.answerFormat ?? "text", HttpIo.header(request, "accept"))
    HttpIo.sendText(response, 200, body.contentType, body.text)
    save(200, fault?._tag)
  }

  const server = Http.createServer(HttpIo.loopbackOnly(false, (request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) HttpIo.sendText(response, 500, "text/plain", "")
      else response.destroy()
    })
  }))
  server.on("clientError", (_error, socket) => socket.destroy())
  const port = await HttpIo.listen(server, options.port ?? 0, host)
  url = HttpIo.baseUrl(host, port)

  return {
    url,
    exchangeEndpoint: `${url}${Altinn.exchangePath}`,
    issuer: `${url}/authentication/api/v1/openid/`,
    jwks: { keys: [jwk] },
    inject: (fault, times = 1) => {
      for (let i = 0; i < times; i++) faults.push(fault)
    },
    requests: () => log.slice(-logLimit),
    exchanges: () => exchanged,
    issuedTokens: () => issued.slice(-logLimit),
    reset: () => {
      faults = []
      log = []
      exchanged = 0
    },
    close: () => HttpIo.close(server)
  }
}
