/**
 * A Texas emulator: a real HTTP server on loopback that speaks the token
 * endpoint's protocol, caches like the sidecar and signs real RS256 JWTs.
 * Start it as a scoped `Layer`, from plain TypeScript, or as a command.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import * as Http from "node:http"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Jose from "jose"
import type { Fault } from "./Fault.js"
import * as HttpIo from "./internal/http.js"
import * as Protocol from "./internal/protocol.js"
import { makeSigner, type Signer } from "./internal/signer.js"

// ---- Models ------------------------------------------------------------------

/**
 * An identity provider as the sidecar names it (`azuread` is accepted as an alias of `entra_id`).
 *
 * @category models
 * @since 0.1.0
 */
export type IdentityProvider = "maskinporten" | "entra_id" | "tokenx" | "idporten"

/**
 * One request the emulator received, as it decoded it.
 *
 * @category models
 * @since 0.1.0
 */
export interface RecordedRequest {
  readonly method: string
  readonly path: string
  /** The `Content-Type` header as sent, if any. */
  readonly contentType: string | undefined
  /** The body's fields as decoded (JSON object or form pairs); undefined when it did not decode. */
  readonly body: Readonly<Record<string, unknown>> | undefined
  /** Bytes in the body (the whole of it, also when it was too large to buffer). */
  readonly bodyBytes: number
  readonly receivedAt: Date
  /** The status answered, or `"dropped"` / `"truncated"` for socket-level faults. */
  readonly answer: number | "dropped" | "truncated"
  /** The fault that shaped the answer, if one did. */
  readonly fault: Fault["_tag"] | undefined
}

/**
 * Counters over everything the emulator did since start or the last `reset`.
 *
 * @category models
 * @since 0.1.0
 */
export interface EmulatorStats {
  /** Requests received on any path (counted on arrival). */
  readonly requests: number
  /** Requests received on `POST /api/v1/token`. */
  readonly tokenRequests: number
  /** Requests received on `POST /api/v1/token/exchange`. */
  readonly exchangeRequests: number
  /** Requests received on `POST /api/v1/introspect`. */
  readonly introspectionRequests: number
  /** Tokens signed (cache misses that reached the "identity provider"). */
  readonly tokensIssued: number
  /** Token answers served from the sidecar cache. */
  readonly cacheHits: number
  /** Answers shaped by a scripted fault. */
  readonly faults: number
}

/**
 * The emulator's settings.
 *
 * @category options
 * @since 0.1.0
 */
export interface TexasEmulatorOptions {
  /**
   * Port to listen on; `0` picks a free one.
   * @default 0
   */
  readonly port?: number | undefined
  /**
   * Interface to bind. Keep it on loopback.
   * @default "127.0.0.1"
   */
  readonly host?: string | undefined
  /**
   * Lifetime of every token the emulated identity providers issue.
   * @default "1 hour"
   */
  readonly tokenLifetime?: Duration.DurationInput | undefined
  /**
   * The scopes (Maskinporten) and targets (Entra ID) the organisation has been
   * granted; any other gets `400 invalid_scope`. Undefined grants everything.
   * @default undefined
   */
  readonly grantedScopes?: ReadonlyArray<string> | undefined
  /**
   * Identity providers enabled for the application; others answer `400`
   * `identity provider '...' is not enabled`.
   * @default ["maskinporten", "entra_id"]
   */
  readonly enabledProviders?: ReadonlyArray<IdentityProvider> | undefined
  /**
   * Time the emulated identity provider takes to issue a token on a cache miss.
   * @default 0
   */
  readonly upstreamLatency?: Duration.DurationInput | undefined
  /**
   * The application's client id, put in `client_id` / `azp`.
   * @default "dev-gcp:team:app"
   */
  readonly clientId?: string | undefined
  /**
   * The consumer organisation's number, put in Maskinporten's `consumer` claim.
   * @default "889640782"
   */
  readonly organisationNumber?: string | undefined
  /**
   * How many requests `requests()` keeps (the most recent); counters in
   * `stats()` count them all. Bounds memory in load and soak runs.
   * @default 10000
   */
  readonly requestLogLimit?: number | undefined
}

/**
 * A user's token for `issueUserToken`: what a login at `provider` would have
 * given the user, for an application to receive and exchange or introspect.
 *
 * @category models
 * @since 0.1.0
 */
export interface UserTokenOptions {
  /** The identity provider that "logged the user in". */
  readonly provider: IdentityProvider
  /** @default a random id */
  readonly subject?: string | undefined
  /**
   * The audience: the application the token was issued to.
   * @default the emulator's `clientId`
   */
  readonly audience?: string | undefined
  /**
   * Lifetime from now; negative for a token that has already expired.
   * @default "1 hour"
   */
  readonly expiresIn?: Duration.DurationInput | undefined
  /** Further claims, e.g. `{ pid: "12345678910" }` or `{ NAVident: "Z123456" }`. */
  readonly claims?: Readonly<Record<string, unknown>> | undefined
}

/**
 * A running emulator, driven from plain TypeScript. Every control is synchronous.
 *
 * @category models
 * @since 0.1.0
 */
export interface TexasEmulatorHandle {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** `POST` endpoint for machine tokens: the value for `NAIS_TOKEN_ENDPOINT`. */
  readonly tokenEndpoint: string
  /** The JWKS that verifies every token the emulator signs. */
  readonly jwksUri: string
  /** The public keys, for in-process verification. */
  readonly jwks: Jose.JSONWebKeySet
  /** The `iss` claim of tokens from `provider`. */
  readonly issuer: (provider: IdentityProvider) => string
  /** The emulator's clock in epoch milliseconds: real time plus every `advance`. */
  readonly now: () => number
  /** Script the next `times` answers (default 1) of the token endpoint. */
  readonly inject: (fault: Fault, times?: number) => void
  /**
   * Answer each token request with `fault` with the given probability (0 to 1),
   * until `reset` or a probability of 0; scripted faults from `inject` go first.
   */
  readonly injectRandomly: (fault: Fault, probability: number) => void
  /** Every request received, oldest first. */
  readonly requests: () => ReadonlyArray<RecordedRequest>
  readonly stats: () => EmulatorStats
  /** Every access token the emulator has signed, for scanning logs for leaks. */
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
  readonly advance: (duration: Duration.DurationInput) => void
  /** Forget requests, counters, faults, the cache and the clock offset; grants go back to the options'. */
  readonly reset: () => void
  /** Stop listening and close every connection. */
  readonly close: () => Promise<void>
}

/**
 * The emulator could not start (most often: the port is taken).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TexasEmulator } from "@effect-texas/testkit"
 *
 * const program = Effect.void.pipe(
 *   Effect.provide(TexasEmulator.layer({ port: 8090 })),
 *   Effect.catchTag("EmulatorStartError", (error) => Effect.logError(`port ${error.port} is taken`))
 * )
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class EmulatorStartError extends Data.TaggedError("EmulatorStartError")<{
  readonly host: string
  readonly port: number
  readonly cause: unknown
}> {
  override get message(): string {
    return `The Texas emulator could not listen on ${this.host}:${this.port}: ${String(this.cause)}`
  }
}

// ---- Internal state ----------------------------------------------------------

interface CachedToken {
  readonly accessToken: string
  readonly expiresAtMs: number
  /** The sidecar drops an entry 120 s before expiry, or at half the lifetime when that is shorter. */
  readonly dropAtMs: number
}

type Rejected = { readonly _tag: "Rejected"; readonly answer: Protocol.OAuthErrorAnswer }

type IssueOutcome = { readonly _tag: "Token"; readonly token: CachedToken } | Rejected

/** What an emulated identity provider decides: the claims to sign, or a rejection. */
type ClaimsOutcome = { readonly _tag: "Claims"; readonly claims: Jose.JWTPayload } | Rejected

const cacheLeewayMs = 120_000
const tokenPath = "/api/v1/token"
const exchangePath = "/api/v1/token/exchange"
const introspectPath = "/api/v1/introspect"
const jwksPath = "/jwks"
const defaultEnabled: ReadonlyArray<IdentityProvider> = ["maskinporten", "entra_id"]

/** Mirrors the sidecar's cache TTL: remaining - 120 s, or half the remaining when that is shorter. */
const cacheTtlMs = (remainingMs: number): number =>
  remainingMs > cacheLeewayMs ? remainingMs - cacheLeewayMs : remainingMs / 2

/** The sidecar compares authorization details as serde_json maps, whose keys are sorted: key order does not matter. */
const sortedKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortedKeys)
  if (typeof value !== "object" || value === null) return value
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return Object.fromEntries(entries.map(([k, v]) => [k, sortedKeys(v)]))
}

const cacheKey = (request: Protocol.DecodedTokenRequest): string =>
  JSON.stringify([
    request.identityProvider,
    request.target,
    request.resource ?? null,
    request.authorizationDetails === undefined ? null : sortedKeys(request.authorizationDetails)
  ])

const allProviders: ReadonlyArray<IdentityProvider> = ["maskinporten", "entra_id", "tokenx", "idporten"]

/** The request log never keeps a user's token: it shows that one was sent, not what it was. */
const redactUserToken = (fields: Record<string, unknown>): Record<string, unknown> => {
  const copy = { ...fields }
  for (const name of ["user_token", "token"]) if (typeof copy[name] === "string") copy[name] = "<redacted>"
  return copy
}

/** Why a token did not verify, in the words an introspection answer uses. */
const verificationFailure = (error: unknown): string => {
  if (error instanceof Jose.errors.JWTExpired) return "token is expired"
  if (error instanceof Jose.errors.JWTClaimValidationFailed) return `token is not valid: ${error.claim} ${error.reason}`
  if (error instanceof Jose.errors.JWSSignatureVerificationFailed) return "token signature is invalid"
  if (error instanceof Jose.errors.JWKSNoMatchingKey) return "token was signed by an unknown key"
  return "token is malformed"
}

const splitScopes = (target: string): ReadonlyArray<string> => target.split(/\s+/).filter((scope) => scope.length > 0)

const isAbsoluteUrl = (value: string): boolean => {
  try {
    new URL(value)
    return true
  } catch {
    return false
  }
}

const entraTarget = /^api:\/\/[^/\s]+\/\.default$/

/** The request spec of each endpoint's body. */
const specOf = (path: string): Protocol.StructSpec =>
  path === exchangePath
    ? Protocol.exchangeRequestSpec
    : path === introspectPath
    ? Protocol.introspectRequestSpec
    : Protocol.tokenRequestSpec

/** The decoded fields of a body (users' tokens redacted), for the log of an answer that did not decode it. */
const fieldsForLog = (read: HttpIo.ReadBody, contentType: string | undefined, path: string): Record<string, unknown> | undefined => {
  if (read._tag === "TooLarge") return undefined
  const decoded = Protocol.decodeBody(read.text, contentType, specOf(path))
  return decoded._tag === "Ok" ? redactUserToken(decoded.fields) : undefined
}

const delayMs = (duration: Duration.DurationInput): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Duration.toMillis(Duration.decode(duration))))

// ---- Constructor -------------------------------------------------------------

/**
 * Starts an emulator from plain TypeScript; call `close()` when done.
 *
 * @example
 * ```ts
 * import { startTexasEmulator } from "@effect-texas/testkit"
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
 * @category constructors
 * @since 0.1.0
 */
export const startTexasEmulator = async (options: TexasEmulatorOptions = {}): Promise<TexasEmulatorHandle> => {
  const host = options.host ?? "127.0.0.1"
  const lifetimeMs = Duration.toMillis(Duration.decode(options.tokenLifetime ?? "1 hour"))
  const upstreamLatencyMs = Duration.toMillis(Duration.decode(options.upstreamLatency ?? 0))
  const enabled = new Set<IdentityProvider>(options.enabledProviders ?? defaultEnabled)
  const clientId = options.clientId ?? "dev-gcp:team:app"
  const organisationNumber = options.organisationNumber ?? "889640782"
  const signer: Signer = await makeSigner()

  let offsetMs = 0
  let granted: Set<string> | undefined = options.grantedScopes === undefined ? undefined : new Set(options.grantedScopes)
  let log: Array<RecordedRequest> = []
  const logLimit = Math.max(1, options.requestLogLimit ?? 10_000)
  const zeroCounters = () => ({
    requests: 0,
    tokenRequests: 0,
    exchangeRequests: 0,
    introspectionRequests: 0,
    tokensIssued: 0,
    cacheHits: 0,
    faults: 0
  })
  let counters = zeroCounters()
  let faults: Array<Fault> = []
  let random: { readonly fault: Fault; readonly probability: number } | undefined
  const randomFault = (): Fault | undefined =>
    random !== undefined && Math.random() < random.probability ? random.fault : undefined
  const issued: Array<string> = []
  const cache = new Map<string, CachedToken>()
  const inFlight = new Map<string, Promise<IssueOutcome>>()
  let url = ""

  const now = () => Date.now() + offsetMs
  const issuer = (provider: IdentityProvider) =>
    provider === "entra_id" ? `${url}/entra_id/v2.0` : `${url}/${provider}`
  const isGranted = (scope: string) => granted === undefined || granted.has(scope)

  // -- the emulated identity providers --------------------------------------

  const rejectScope = (description: string): Rejected => ({
    _tag: "Rejected",
    answer: { status: 400, error: "invalid_scope", description }
  })

  const maskinportenClaims = (request: Protocol.DecodedTokenRequest): ClaimsOutcome => {
    const scopes = splitScopes(request.target)
    if (scopes.length === 0) return rejectScope("Missing scope: the request names no scope")
    const denied = scopes.filter((scope) => !isGranted(scope))
    if (denied.length > 0) {
      return rejectScope(
        `Consumer ${organisationNumber} has not been granted access to the scope(s): ${denied.join(", ")}`
      )
    }
    if (request.resource !== undefined && !isAbsoluteUrl(request.resource)) {
      return {
        _tag: "Rejected",
        answer: { status: 400, error: "invalid_target", description: `Invalid resource indicator: ${request.resource}` }
      }
    }
    return {
      _tag: "Claims",
      claims: {
      iss: `${issuer("maskinporten")}/`,
      aud: request.resource ?? "unspecified",
      scope: scopes.join(" "),
      client_id: clientId,
      client_amr: "private_key_jwt",
      token_type: "Bearer",
      consumer: { authority: "iso6523-actorid-upis", ID: `0192:${organisationNumber}` },
      ...(request.authorizationDetails === undefined ? {} : { authorization_details: request.authorizationDetails })
      }
    }
  }

  const entraClaims = (request: Protocol.DecodedTokenRequest): ClaimsOutcome => {
    if (!entraTarget.test(request.target)) {
      return rejectScope(
        `AADSTS1002012: The provided value for scope ${request.target} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`
      )
    }
    if (!isGranted(request.target)) {
      return {
        _tag: "Rejected",
        answer: {
          status: 400,
          error: "invalid_scope",
          description: `AADSTS501051: Application '${clientId}' is not assigned to a role for the application '${request.target}'.`
        }
      }
    }
    const appId = request.target.slice(0, -"/.default".length)
    return {
      _tag: "Claims",
      claims: {
      iss: issuer("entra_id"),
      aud: appId,
      azp: clientId,
      sub: clientId,
      oid: clientId,
      tid: "emulator-tenant",
      idtyp: "app",
      roles: ["access_as_application"],
      ver: "2.0"
      }
    }
  }

  const issueToken = async (request: Protocol.DecodedTokenRequest): Promise<IssueOutcome> => {
    if (upstreamLatencyMs > 0) await delayMs(upstreamLatencyMs)
    const decided = request.identityProvider === "entra_id" ? entraClaims(request) : maskinportenClaims(request)
    if (decided._tag === "Rejected") return decided
    return { _tag: "Token", token: await signAccessToken(decided.claims) }
  }

  /** Signs claims as a token issued now with the configured lifetime, and counts it. */
  const signAccessToken = async (claims: Jose.JWTPayload): Promise<CachedToken> => {
    const issuedAtMs = now()
    const expiresAtMs = issuedAtMs + lifetimeMs
    const accessToken = await signer.sign({
      ...claims,
      iat: Math.floor(issuedAtMs / 1000),
      nbf: Math.floor(issuedAtMs / 1000),
      exp: Math.floor(expiresAtMs / 1000),
      jti: randomUUID()
    })
    counters.tokensIssued++
    issued.push(accessToken)
    return { accessToken, expiresAtMs, dropAtMs: issuedAtMs + cacheTtlMs(lifetimeMs) }
  }

  /**
   * The sidecar's cache, for token requests and exchanges alike: a hit while
   * the entry is fresh, else one issue shared by concurrent misses.
   * `skipCache` drops the entry first; failures are not cached.
   */
  const cachedOrIssued = async (
    key: string,
    skipCache: boolean,
    issue: () => Promise<IssueOutcome>
  ): Promise<IssueOutcome> => {
    if (skipCache) cache.delete(key)
    const cached = cache.get(key)
    if (cached !== undefined && now() < cached.dropAtMs) {
      counters.cacheHits++
      return { _tag: "Token", token: cached }
    }
    cache.delete(key)
    const pending = inFlight.get(key)
    if (pending !== undefined) return pending
    const fetching = issue().then((outcome) => {
      if (outcome._tag === "Token") cache.set(key, outcome.token)
      return outcome
    }).finally(() => inFlight.delete(key))
    inFlight.set(key, fetching)
    return fetching
  }

  const tokenFor = (request: Protocol.DecodedTokenRequest): Promise<IssueOutcome> =>
    cachedOrIssued(cacheKey(request), request.skipCache, () => issueToken(request))

  // -- users' tokens: issuing, verifying, exchanging ------------------------------

  const keySet = Jose.createLocalJWKSet(signer.jwks)

  const issueUserToken = async (user: UserTokenOptions): Promise<string> => {
    const issuedAtMs = now()
    const expiresAtMs = issuedAtMs + Duration.toMillis(Duration.decode(user.expiresIn ?? "1 hour"))
    const subject = user.subject ?? randomUUID()
    const token = await signer.sign({
      iss: user.provider === "maskinporten" ? `${issuer("maskinporten")}/` : issuer(user.provider),
      aud: user.audience ?? clientId,
      sub: subject,
      ...(user.provider === "entra_id" ? { oid: subject, azp: "emulator-frontend", ver: "2.0" } : {}),
      ...(user.provider === "idporten" ? { acr: "idporten-loa-high", client_id: "emulator-frontend" } : {}),
      ...user.claims,
      iat: Math.floor(issuedAtMs / 1000),
      nbf: Math.floor(issuedAtMs / 1000),
      exp: Math.floor(expiresAtMs / 1000),
      jti: randomUUID()
    })
    issued.push(token)
    return token
  }

  /** Which provider issued a token, by its `iss`. */
  const providerOf = (iss: unknown): IdentityProvider | undefined =>
    allProviders.find((provider) => iss === issuer(provider) || iss === `${issuer(provider)}/`)

  /** Verifies a token this emulator signed, by its clock; the reason when it is not valid. */
  /** Tokens from elsewhere that tests told the emulator to take as issued by a provider. */
  const accepted = new Map<string, IdentityProvider>()

  type Verdict =
    | { readonly _tag: "Valid"; readonly claims: Jose.JWTPayload; readonly provider: IdentityProvider | undefined }
    | { readonly _tag: "Invalid"; readonly reason: string }

  /** Verifies a token this emulator signed (or was told to accept), by its clock; the reason when it is not valid. */
  const verify = async (token: string): Promise<Verdict> => {
    const acceptedAs = accepted.get(token)
    if (acceptedAs !== undefined) return verifyAccepted(token, acceptedAs)
    try {
      const { payload } = await Jose.jwtVerify(token, keySet, { currentDate: new Date(now()), algorithms: ["RS256"] })
      return { _tag: "Valid", claims: payload, provider: providerOf(payload.iss) }
    } catch (error) {
      return { _tag: "Invalid", reason: verificationFailure(error) }
    }
  }

  /** An accepted token is not verified, but its `exp` still counts. */
  const verifyAccepted = (token: string, provider: IdentityProvider): Verdict => {
    let claims: Jose.JWTPayload = {}
    try {
      claims = Jose.decodeJwt(token)
    } catch {
      // Not a JWT: accepted as an opaque token with no claims of its own.
    }
    if (typeof claims.exp === "number" && claims.exp * 1000 <= now()) return { _tag: "Invalid", reason: "token is expired" }
    return { _tag: "Valid", claims, provider }
  }

  const exchangeClaims = (
    provider: "tokenx" | "entra_id",
    target: string,
    user: Jose.JWTPayload,
    from: IdentityProvider | undefined
  ): ClaimsOutcome => {
    if (provider === "entra_id") {
      if (from !== "entra_id") {
        return {
          _tag: "Rejected",
          answer: { status: 400, error: "invalid_grant", description: "AADSTS50013: Assertion failed signature validation or was not issued by Entra ID." }
        }
      }
      if (!entraTarget.test(target)) {
        return rejectScope(`AADSTS70011: The provided value for scope ${target} is not valid.`)
      }
      return {
        _tag: "Claims",
        claims: {
          iss: issuer("entra_id"),
          aud: target.slice(0, -"/.default".length),
          azp: clientId,
          sub: user.sub ?? "",
          oid: user["oid"] ?? user.sub,
          ...(user["NAVident"] === undefined ? {} : { NAVident: user["NAVident"] }),
          scp: "defaultaccess",
          ver: "2.0"
        }
      }
    }
    if (from === undefined || from === "maskinporten") {
      return {
        _tag: "Rejected",
        answer: { status: 400, error: "invalid_request", description: "invalid subject_token: not issued by an identity provider TokenX trusts" }
      }
    }
    return {
      _tag: "Claims",
      claims: {
        iss: issuer("tokenx"),
        aud: target,
        sub: user.sub ?? "",
        client_id: clientId,
        idp: user.iss ?? (from === undefined ? "" : issuer(from)),
        ...(user["pid"] === undefined ? {} : { pid: user["pid"] }),
        ...(user["acr"] === undefined ? {} : { acr: user["acr"] })
      }
    }
  }

  /** Decides the answer to an exchange: the token, or an OAuth error. Cached per (provider, target, user token). */
  const exchangeAnswer = async (
    body: string,
    contentType: string | undefined
  ): Promise<{ readonly fields: Record<string, unknown> | undefined; readonly outcome: IssueOutcome }> => {
    const decoded = Protocol.decodeBody(body, contentType, Protocol.exchangeRequestSpec)
    if (decoded._tag === "Invalid") return { fields: undefined, outcome: { _tag: "Rejected", answer: decoded.answer } }
    const fields = redactUserToken(decoded.fields)
    const provider = decoded.value["identity_provider"] as Protocol.ProviderId
    const target = decoded.value["target"] as string
    const userToken = decoded.value["user_token"] as string
    const reject = (answer: Protocol.OAuthErrorAnswer) => ({ fields, outcome: { _tag: "Rejected", answer } as const })
    if (!enabled.has(provider)) return reject(notSupported(`identity provider '${provider}' is not enabled`))
    if (provider !== "tokenx" && provider !== "entra_id") {
      return reject(notSupported(`identity provider '${provider}' does not support token exchange`))
    }
    // Keyed per (provider, target, user token): three parts, never equal to a token request's four.
    const key = JSON.stringify([provider, target, userToken])
    const outcome = await cachedOrIssued(key, decoded.value["skip_cache"] === true, () => exchangeToken(provider, target, userToken))
    return { fields, outcome }
  }

  /** Verifies the user's token and signs the exchanged one. */
  const exchangeToken = async (provider: "tokenx" | "entra_id", target: string, userToken: string): Promise<IssueOutcome> => {
    const user = await verify(userToken)
    if (user._tag === "Invalid") {
      return { _tag: "Rejected", answer: { status: 400, error: "invalid_request", description: `invalid subject_token: ${user.reason}` } }
    }
    const decided = exchangeClaims(provider, target, user.claims, user.provider)
    if (decided._tag === "Rejected") return decided
    return { _tag: "Token", token: await signAccessToken(decided.claims) }
  }

  /** Decides the answer to an introspection: always 200 with `active`, unless the request itself is bad. */
  const introspectionAnswer = async (
    body: string,
    contentType: string | undefined
  ): Promise<{
    readonly fields: Record<string, unknown> | undefined
    readonly outcome: { readonly _tag: "Answer"; readonly body: Record<string, unknown> } | Rejected
  }> => {
    const decoded = Protocol.decodeBody(body, contentType, Protocol.introspectRequestSpec)
    if (decoded._tag === "Invalid") return { fields: undefined, outcome: { _tag: "Rejected", answer: decoded.answer } }
    const fields = redactUserToken(decoded.fields)
    const provider = decoded.value["identity_provider"] as Protocol.ProviderId
    if (!enabled.has(provider)) {
      return { fields, outcome: { _tag: "Rejected", answer: notSupported(`identity provider '${provider}' is not enabled`) } }
    }
    const verdict = await verify(decoded.value["token"] as string)
    if (verdict._tag === "Invalid") return { fields, outcome: { _tag: "Answer", body: { active: false, error: verdict.reason } } }
    if (verdict.provider !== provider) {
      return { fields, outcome: { _tag: "Answer", body: { active: false, error: `token was not issued by ${provider}` } } }
    }
    return { fields, outcome: { _tag: "Answer", body: { active: true, ...verdict.claims } } }
  }

  // -- the HTTP side ------------------------------------------------------------

  const sendError = (response: Http.ServerResponse, answer: Protocol.OAuthErrorAnswer, headers: Record<string, string> = {}) =>
    HttpIo.sendJson(response, answer.status, { error: answer.error, error_description: answer.description }, headers)

  const notSupported = (description: string): Protocol.OAuthErrorAnswer => ({
    status: 400,
    error: "invalid_request",
    description
  })

  /** Decides the answer to a token request: the token, or an OAuth error. */
  const tokenAnswer = async (
    body: string,
    contentType: string | undefined
  ): Promise<{ readonly fields: Record<string, unknown> | undefined; readonly outcome: IssueOutcome }> => {
    const decoded = Protocol.decodeTokenRequest(body, contentType)
    if (decoded._tag === "Invalid") return { fields: undefined, outcome: { _tag: "Rejected", answer: decoded.answer } }
    const request = decoded.value
    const provider = request.identityProvider
    if (!enabled.has(provider)) {
      return { fields: decoded.fields, outcome: { _tag: "Rejected", answer: notSupported(`identity provider '${provider}' is not enabled`) } }
    }
    if (provider !== "maskinporten" && provider !== "entra_id") {
      return {
        fields: decoded.fields,
        outcome: { _tag: "Rejected", answer: notSupported(`identity provider '${provider}' does not support token requests`) }
      }
    }
    return { fields: decoded.fields, outcome: await tokenFor(request) }
  }

  const sendOutcome = (response: Http.ServerResponse, outcome: IssueOutcome): number => {
    if (outcome._tag === "Rejected") {
      sendError(response, outcome.answer)
      return outcome.answer.status
    }
    const remainingSeconds = Math.max(0, Math.floor((outcome.token.expiresAtMs - now()) / 1000))
    HttpIo.sendJson(response, 200, {
      access_token: outcome.token.accessToken,
      expires_in: remainingSeconds,
      token_type: "Bearer"
    })
    return 200
  }

  /** Applies a socket- or status-level fault; returns the answer it gave, or undefined to answer normally. */
  const applyFault = async (fault: Fault, response: Http.ServerResponse): Promise<RecordedRequest["answer"] | undefined> => {
    switch (fault._tag) {
      case "Delay":
        await delayMs(fault.delay)
        return undefined
      case "Drop":
        response.socket?.destroy()
        return "dropped"
      case "Status": {
        const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { "retry-after": String(fault.retryAfter) }
        sendError(response, {
          status: fault.status,
          error: fault.error ?? "server_error",
          description: fault.description ?? `emulated fault: status ${fault.status}`
        }, headers)
        return fault.status
      }
      case "NonJson":
        HttpIo.sendText(response, 200, "text/html", "<html><body><h1>Welcome to nginx!</h1></body></html>")
        return 200
      case "Truncated": {
        const full = JSON.stringify({ access_token: "truncated.truncated.truncated", expires_in: 3599, token_type: "Bearer" })
        response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(full) })
        response.write(full.slice(0, Math.floor(full.length / 2)), () => response.socket?.destroy())
        return "truncated"
      }
      case "Respond": {
        const text = typeof fault.body === "string" ? fault.body : JSON.stringify(fault.body)
        const contentType = typeof fault.body === "string" ? "text/plain" : "application/json"
        HttpIo.sendText(response, fault.status, contentType, text, { ...fault.headers })
        return fault.status
      }
    }
  }

  const handle = async (request: Http.IncomingMessage, response: Http.ServerResponse): Promise<void> => {
    const receivedAt = new Date(now())
    const path = (request.url ?? "/").split("?")[0] ?? "/"
    const method = request.method ?? "GET"
    const contentType = HttpIo.header(request, "content-type")
    const read = await HttpIo.readBody(request, Protocol.bodyLimitBytes)
    // Counted on arrival (the log entry is written with the answer, which a fault may delay).
    counters.requests++
    if (path === tokenPath) counters.tokenRequests++
    if (path === exchangePath) counters.exchangeRequests++
    if (path === introspectPath) counters.introspectionRequests++
    const bodyBytes = read._tag === "Body"
      ? Buffer.byteLength(read.text)
      : Number(HttpIo.header(request, "content-length") ?? Protocol.bodyLimitBytes + 1)
    const save = (
      answer: RecordedRequest["answer"],
      fault: Fault["_tag"] | undefined,
      body: Record<string, unknown> | undefined
    ): void => {
      log.push({ method, path, contentType, body, bodyBytes, receivedAt, answer, fault })
      if (log.length > logLimit) log.splice(0, log.length - logLimit)
    }

    if (path === jwksPath && method === "GET") {
      HttpIo.sendJson(response, 200, signer.jwks)
      return save(200, undefined, undefined)
    }
    if (path !== tokenPath && path !== exchangePath && path !== introspectPath) {
      HttpIo.sendText(response, 404, "text/plain", "")
      return save(404, undefined, undefined)
    }
    if (method !== "POST") {
      HttpIo.sendText(response, 405, "text/plain", "", { allow: "POST" })
      return save(405, undefined, undefined)
    }

    const fault = faults.shift() ?? randomFault()
    if (fault !== undefined) {
      counters.faults++
      const faulted = await applyFault(fault, response)
      if (faulted !== undefined) return save(faulted, fault._tag, fieldsForLog(read, contentType, path))
    }
    if (read._tag === "TooLarge") {
      sendError(response, Protocol.bodyTooLarge)
      return save(400, fault?._tag, undefined)
    }
    if (path === introspectPath) {
      const introspected = await introspectionAnswer(read.text, contentType)
      if (introspected.outcome._tag === "Rejected") {
        sendError(response, introspected.outcome.answer)
        return save(introspected.outcome.answer.status, fault?._tag, introspected.fields)
      }
      HttpIo.sendJson(response, 200, introspected.outcome.body)
      return save(200, fault?._tag, introspected.fields)
    }
    const answered = path === exchangePath
      ? await exchangeAnswer(read.text, contentType)
      : await tokenAnswer(read.text, contentType)
    save(sendOutcome(response, answered.outcome), fault?._tag, answered.fields)
  }

  const server = Http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // The emulator stands in for a server that answers 500 when it fails inside.
      if (!response.headersSent) {
        sendError(response, { status: 500, error: "server_error", description: `emulator failure: ${String(error)}` })
      } else {
        response.destroy()
      }
    })
  })
  // A client that disconnects mid-request must not take the emulator down.
  server.on("clientError", (_error, socket) => socket.destroy())

  const port = await HttpIo.listen(server, options.port ?? 0, host)
  url = HttpIo.baseUrl(host, port)

  return {
    url,
    tokenEndpoint: `${url}${tokenPath}`,
    jwksUri: `${url}${jwksPath}`,
    jwks: signer.jwks,
    issuer,
    now,
    inject: (fault, times = 1) => {
      for (let i = 0; i < times; i++) faults.push(fault)
    },
    requests: () => [...log],
    injectRandomly: (fault, probability) => {
      random = probability > 0 ? { fault, probability: Math.min(1, probability) } : undefined
    },
    stats: () => ({ ...counters }),
    issuedTokens: () => [...issued],
    issueUserToken,
    accept: (token, provider) => {
      accepted.set(token, provider)
    },
    grant: (...scopes) => {
      granted ??= new Set()
      for (const scope of scopes) granted.add(scope)
    },
    revoke: (...scopes) => {
      granted ??= new Set()
      for (const scope of scopes) granted.delete(scope)
    },
    advance: (duration) => {
      offsetMs += Duration.toMillis(Duration.decode(duration))
    },
    reset: () => {
      log = []
      counters = zeroCounters()
      faults = []
      random = undefined
      cache.clear()
      accepted.clear()
      offsetMs = 0
      granted = options.grantedScopes === undefined ? undefined : new Set(options.grantedScopes)
    },
    close: () => HttpIo.close(server)
  }
}

// ---- Service -----------------------------------------------------------------

/**
 * The emulator as an Effect service: its addresses, and its controls as effects.
 *
 * @category services
 * @since 0.1.0
 */
export interface Service {
  readonly url: string
  /** The value for `NAIS_TOKEN_ENDPOINT`. */
  readonly tokenEndpoint: string
  readonly jwksUri: string
  /** The underlying handle, for code that wants the synchronous controls. */
  readonly handle: TexasEmulatorHandle
  readonly inject: (fault: Fault, times?: number) => Effect.Effect<void>
  readonly injectRandomly: (fault: Fault, probability: number) => Effect.Effect<void>
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly stats: Effect.Effect<EmulatorStats>
  readonly issuedTokens: Effect.Effect<ReadonlyArray<string>>
  readonly issueUserToken: (options: UserTokenOptions) => Effect.Effect<string>
  readonly accept: (token: string, provider: IdentityProvider) => Effect.Effect<void>
  readonly grant: (...scopes: ReadonlyArray<string>) => Effect.Effect<void>
  readonly revoke: (...scopes: ReadonlyArray<string>) => Effect.Effect<void>
  readonly advance: (duration: Duration.DurationInput) => Effect.Effect<void>
  readonly reset: Effect.Effect<void>
}

/**
 * The running emulator.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TexasEmulator } from "@effect-texas/testkit"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* TexasEmulator
 *   yield* Effect.log(`export NAIS_TOKEN_ENDPOINT=${emulator.tokenEndpoint}`)
 * }).pipe(Effect.provide(TexasEmulator.layer()))
 * ```
 *
 * @category services
 * @since 0.1.0
 */
export class TexasEmulator extends Context.Tag("@effect-texas/testkit/TexasEmulator")<TexasEmulator, Service>() {
  /**
   * Starts the emulator for the lifetime of the layer's scope, on a free port unless told otherwise.
   *
   * @since 0.1.0
   */
  static readonly layer = (options: TexasEmulatorOptions = {}): Layer.Layer<TexasEmulator, EmulatorStartError> =>
    Layer.scoped(TexasEmulator, Effect.map(acquire(options), fromHandle))
}

/** Starts an emulator inside a scope and stops it when the scope closes. */
const acquire = (options: TexasEmulatorOptions) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => startTexasEmulator(options),
      catch: (cause) => new EmulatorStartError({ host: options.host ?? "127.0.0.1", port: options.port ?? 0, cause })
    }),
    (handle) => Effect.promise(() => handle.close())
  )

/**
 * Wraps a handle as the Effect service.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { fromHandle, startTexasEmulator, TexasEmulator } from "@effect-texas/testkit"
 *
 * const handle = await startTexasEmulator()
 * const stats = Effect.flatMap(TexasEmulator, (emulator) => emulator.stats).pipe(
 *   Effect.provideService(TexasEmulator, fromHandle(handle))
 * )
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromHandle = (handle: TexasEmulatorHandle): Service => ({
  url: handle.url,
  tokenEndpoint: handle.tokenEndpoint,
  jwksUri: handle.jwksUri,
  handle,
  inject: (fault, times) => Effect.sync(() => handle.inject(fault, times)),
  injectRandomly: (fault, probability) => Effect.sync(() => handle.injectRandomly(fault, probability)),
  requests: Effect.sync(handle.requests),
  stats: Effect.sync(handle.stats),
  issuedTokens: Effect.sync(handle.issuedTokens),
  issueUserToken: (options) => Effect.promise(() => handle.issueUserToken(options)),
  accept: (token, provider) => Effect.sync(() => handle.accept(token, provider)),
  grant: (...scopes) => Effect.sync(() => handle.grant(...scopes)),
  revoke: (...scopes) => Effect.sync(() => handle.revoke(...scopes)),
  advance: (duration) => Effect.sync(() => handle.advance(duration)),
  reset: Effect.sync(handle.reset)
})
