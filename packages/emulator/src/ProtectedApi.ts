/**
 * A small API protected by tokens from the Texas emulator: it verifies the
 * bearer token's signature, expiry and scope, and answers 401 or 403 as a
 * real resource server would. Middleware tests and examples call it.
 *
 * @since 0.1.0
 */
import * as Http from "node:http"
import * as Jose from "jose"
import * as HttpIo from "./internal/http.js"
import { allProviders } from "./internal/providers.js"
import type { TexasEmulatorHandle } from "./TexasEmulator.js"

// ---- Models ------------------------------------------------------------------

/**
 * One request the protected API received. The token itself is never kept, only its `jti`.
 *
 * @category Models
 * @since 0.1.0
 */
export interface ApiRequest {
  readonly method: string
  readonly path: string
  /** `"none"` without an Authorization header, `"bearer"` with a Bearer one, `"other"` otherwise. */
  readonly authorization: "none" | "bearer" | "other"
  /** How many Authorization headers arrived (more than one is a client bug). */
  readonly authorizationHeaders: number
  /** The `jti` of a token that verified. */
  readonly tokenId: string | undefined
  /** The `Content-Type` sent, if any. */
  readonly contentType: string | undefined
  /** Bytes in the body. */
  readonly bodyBytes: number
  readonly answer: number
  /** Why the token was refused (`"exp" claim timestamp check failed`, ...), never the token; undefined when accepted. */
  readonly refusal?: string | undefined
}

/**
 * The protected API's settings.
 *
 * @category Options
 * @since 0.1.0
 */
export interface ProtectedApiOptions {
  /**
   * A scope every token must carry (Maskinporten `scope` claim, space-separated).
   * @default undefined (any valid token)
   */
  readonly requiredScope?: string | undefined
  /**
   * The audience every token must carry (the `resource` it was requested for).
   * @default undefined (not checked)
   */
  readonly audience?: string | undefined
  /**
   * The keys tokens must be signed with, e.g. an `AltinnEmulator`'s `jwks` for
   * an API that takes Altinn tokens only.
   * @default the Texas emulator's keys
   */
  readonly jwks?: Jose.JSONWebKeySet | undefined
  /**
   * The issuer every token must carry.
   * @default with the emulator's keys, one of its providers' issuers (every emulator in a process
   * signs with the same keys, so this is what refuses another emulator's tokens); with `jwks`,
   * not checked
   */
  readonly issuer?: string | undefined
  /**
   * Seconds a token is still taken after its `exp` (and before its `nbf`). An
   * API on the platform that validates through the sidecar's introspection
   * gets 60 (nais/texas `src/oauth/token.rs`, `validation.leeway = 60`); an
   * API that checks tokens itself may take none.
   * @default 0
   */
  readonly leewaySeconds?: number | undefined
  /** @default 0 (a free port) */
  readonly port?: number | undefined
  /** @default "127.0.0.1" */
  readonly host?: string | undefined
  /**
   * Answer requests addressed to any host, not only loopback names (as the
   * emulator's `allowNonLoopback`); otherwise another `Host` gets `421`.
   * @default false
   */
  readonly allowNonLoopback?: boolean | undefined
}

/**
 * A running protected API.
 *
 * @category Models
 * @since 0.1.0
 */
export interface ProtectedApiHandle {
  /** Base URL, e.g. `http://127.0.0.1:41235`. */
  readonly url: string
  /** Answer the next `times` authenticated requests with `status` (default 401) whatever their token. */
  readonly rejectNext: (times: number, status?: number) => void
  /**
   * Reject (401) every token this API has accepted so far, as an API does when
   * permissions change; tokens it has not seen yet are still accepted.
   */
  readonly revokeSeenTokens: () => void
  /** The requests received (the most recent 10,000), oldest first. */
  readonly requests: () => ReadonlyArray<ApiRequest>
  readonly reset: () => void
  readonly close: () => Promise<void>
}

// ---- Constructor -------------------------------------------------------------

type Verdict =
  | { readonly _tag: "Accepted"; readonly claims: Jose.JWTPayload }
  | { readonly _tag: "Refused"; readonly status: number; readonly challenge: string; readonly reason: string }

const bearerPrefix = /^Bearer (.+)$/

/**
 * Starts a protected API that trusts `emulator`'s keys and clock.
 *
 * Routes: `/redirect?to=URL&status=302` answers that redirect (302 by
 * default) to `to` without checking a token (for redirect tests); every other path checks the bearer token and
 * echoes what it saw as JSON: `{ method, path, scope, consumer, audience }`.
 *
 * @example
 * ```ts
 * import { startProtectedApi, startTexasEmulator } from "@effect-texas/emulator"
 *
 * const emulator = await startTexasEmulator()
 * const api = await startProtectedApi(emulator, { requiredScope: "skatt:some.scope" })
 * console.log((await fetch(`${api.url}/api/hello`)).status) // 401
 * await api.close()
 * await emulator.close()
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const startProtectedApi = async (
  emulator: TexasEmulatorHandle,
  options: ProtectedApiOptions = {}
): Promise<ProtectedApiHandle> => {
  const keys = Jose.createLocalJWKSet(options.jwks ?? emulator.jwks)
  const issuers = options.issuer ?? (options.jwks === undefined ? allProviders.map(emulator.issuer) : undefined)
  const requestLogLimit = 10_000
  let log: Array<ApiRequest> = []
  let forced: Array<number> = []
  let revoked = new Set<string>()

  const verify = async (authorization: string | undefined): Promise<Verdict> => {
    const match = authorization === undefined ? null : bearerPrefix.exec(authorization)
    if (match === null) {
      return { _tag: "Refused", status: 401, challenge: "Bearer", reason: "missing bearer token" }
    }
    try {
      const { payload } = await Jose.jwtVerify(match[1]!, keys, {
        algorithms: ["RS256"],
        currentDate: new Date(emulator.now()),
        clockTolerance: options.leewaySeconds ?? 0,
        ...(options.audience === undefined ? {} : { audience: options.audience }),
        ...(issuers === undefined ? {} : { issuer: issuers })
      })
      const scopes = typeof payload["scope"] === "string" ? payload["scope"].split(" ") : []
      if (options.requiredScope !== undefined && !scopes.includes(options.requiredScope)) {
        return {
          _tag: "Refused",
          status: 403,
          challenge: `Bearer error="insufficient_scope", scope="${options.requiredScope}"`,
          reason: `token lacks scope ${options.requiredScope}`
        }
      }
      if (typeof payload.jti === "string" && revoked.has(payload.jti)) {
        return { _tag: "Refused", status: 401, challenge: `Bearer error="invalid_token"`, reason: "token revoked" }
      }
      return { _tag: "Accepted", claims: payload }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      return { _tag: "Refused", status: 401, challenge: `Bearer error="invalid_token"`, reason }
    }
  }

  const handle = async (request: Http.IncomingMessage, response: Http.ServerResponse): Promise<void> => {
    const target = new URL(request.url ?? "/", "http://protected.invalid")
    const method = request.method ?? "GET"
    const rawAuthorization = request.headersDistinct["authorization"] ?? []
    const authorization = rawAuthorization[0]
    const kind: ApiRequest["authorization"] = authorization === undefined
      ? "none"
      : bearerPrefix.test(authorization) ? "bearer" : "other"
    const body = await HttpIo.readBody(request, 1024 * 1024)
    const save = (answer: number, tokenId?: string, refusal?: string): void => {
      log.push({
        method,
        path: target.pathname,
        authorization: kind,
        authorizationHeaders: rawAuthorization.length,
        tokenId,
        contentType: request.headers["content-type"],
        bodyBytes: body._tag === "Body" ? Buffer.byteLength(body.text) : 1024 * 1024 + 1,
        answer,
        refusal
      })
      // Only the most recent requests are kept, so load and soak runs stay bounded.
      if (log.length > requestLogLimit) log.splice(0, log.length - requestLogLimit)
    }

    if (target.pathname === "/redirect") {
      const location = target.searchParams.get("to") ?? "/"
      response.writeHead(Number(target.searchParams.get("status") ?? 302), { location, "content-length": 0 })
      response.end()
      return save(Number(target.searchParams.get("status") ?? 302))
    }

    const verdict = await verify(authorization)
    const forcedStatus = forced.shift()
    if (forcedStatus !== undefined) {
      HttpIo.sendJson(response, forcedStatus, { error: "rejected", error_description: "emulated rejection" }, {
        "www-authenticate": `Bearer error="invalid_token"`
      })
      return save(forcedStatus, verdict._tag === "Accepted" ? verdict.claims.jti : undefined)
    }
    if (verdict._tag === "Refused") {
      HttpIo.sendJson(response, verdict.status, { error: "unauthorized", error_description: verdict.reason }, {
        "www-authenticate": verdict.challenge
      })
      return save(verdict.status, undefined, verdict.reason)
    }
    HttpIo.sendJson(response, 200, {
      method,
      path: target.pathname,
      scope: verdict.claims["scope"],
      consumer: verdict.claims["consumer"],
      audience: verdict.claims.aud,
      body: body._tag === "Body" && body.text.length > 0 ? body.text : undefined
    })
    save(200, verdict.claims.jti)
  }

  const server = Http.createServer(HttpIo.loopbackOnly(options.allowNonLoopback === true, (request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) HttpIo.sendJson(response, 500, { error: "server_error" })
      else response.destroy()
    })
  }))
  server.on("clientError", (_error, socket) => socket.destroy())
  const port = await HttpIo.listen(server, options.port ?? 0, options.host ?? "127.0.0.1")

  return {
    url: HttpIo.baseUrl(options.host ?? "127.0.0.1", port),
    rejectNext: (times, status = 401) => {
      for (let i = 0; i < times; i++) forced.push(status)
    },
    revokeSeenTokens: () => {
      for (const entry of log) if (entry.tokenId !== undefined) revoked.add(entry.tokenId)
    },
    requests: () => [...log],
    reset: () => {
      log = []
      forced = []
      revoked = new Set()
    },
    close: () => HttpIo.close(server)
  }
}
