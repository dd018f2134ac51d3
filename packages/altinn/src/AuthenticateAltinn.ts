/**
 * `HttpClient` middleware for Altinn 3's APIs: each request to an allowed
 * origin carries the Altinn token; a 401 renews it once (a fresh Maskinporten
 * token and a new exchange, shared by concurrent 401s) and replays.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { TokenError } from "@effect-texas/core"
import { Altinn } from "@effect-texas/protocol"
import { type AuthError, authenticateFrom, type OriginOptions } from "@effect-texas/http-client"
import * as Effect from "effect/Effect"
import { AltinnToken, type AltinnTokenRequest } from "./AltinnToken.js"

/**
 * What to authenticate with, and where the token may go.
 *
 * @category Options
 * @since 0.1.0
 */
export interface AuthenticateAltinnOptions extends Omit<AltinnTokenRequest, "skipCache">, OriginOptions {}

/**
 * Authenticates a client's requests to Altinn's APIs with the Altinn token
 * from `AltinnToken`, on the same machinery as `authenticate` (origin check
 * before any token is fetched, redirects, `minRenewInterval`, redacted
 * responses).
 *
 * @example
 * ```ts
 * import { HttpClient, HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 * import { authenticateAltinn, systemUser } from "@effect-texas/altinn"
 *
 * const program = Effect.gen(function*() {
 *   const detail = yield* systemUser({ organization: "313367002" })
 *   const altinn = (yield* HttpClient.HttpClient).pipe(
 *     authenticateAltinn({
 *       scopes: "altinn:correspondence.write",
 *       authorizationDetails: [detail],
 *       allowedOrigins: ["https://platform.tt02.altinn.no"]
 *     }),
 *     HttpClient.mapRequest(HttpClientRequest.prependUrl("https://platform.tt02.altinn.no")),
 *     HttpClient.filterStatusOk
 *   )
 *   return yield* altinn.get("/correspondence/api/v1/correspondence")
 * })
 * ```
 *
 * @category Middleware
 * @since 0.1.0
 */
export const authenticateAltinn = (options: AuthenticateAltinnOptions) =>
<E, R>(
  client: HttpClient.HttpClient.With<E, R>
): HttpClient.HttpClient.With<E | TokenError | AuthError, R | AltinnToken> => {
  // Built once and frozen (details as they go on the wire): every request reuses it, prepared once.
  const request: AltinnTokenRequest = Object.freeze({
    scopes: typeof options.scopes === "string" ? options.scopes : Object.freeze([...options.scopes]),
    authorizationDetails: options.authorizationDetails === undefined ? undefined : Altinn.frozenDetails(options.authorizationDetails)
  })
  return authenticateFrom(
    {
      token: Effect.flatMap(AltinnToken, (altinn) => altinn.token(request)),
      renew: (rejected) => Effect.flatMap(AltinnToken, (altinn) => altinn.renew(request, rejected))
    },
    options
  )(client)
}
