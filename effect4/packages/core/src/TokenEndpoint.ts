/**
 * The SDK's way of calling an endpoint that hands out tokens, for endpoints
 * beyond the sidecar's (Altinn's exchange): the same attempt timeout, retry
 * schedule and retry budget, `Retry-After`, size limit, no redirects, span
 * and metrics as `TokenService`, and the same typed errors. Public for
 * packages that build further services on the SDK.
 *
 * @since 1.0.0
 */
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type { EndpointOptions } from "./EndpointOptions.js"
import { callEndpoint } from "./internal/endpoint.js"
import { resolveSettings, tokenDefaults } from "./internal/settings.js"
import { type InvalidTokenRequest, InvalidTokenResponse, type TokenError } from "./TokenError.js"

/**
 * One call: the request as it is to be sent, what errors name, and how a 2xx
 * answer's text becomes the value (or the reason it is not usable, which must
 * never quote the text: it may be a token).
 *
 * @category Models
 * @since 1.0.0
 */
export interface Call<A> {
  readonly request: HttpClientRequest.HttpClientRequest
  /** What errors name as the identity provider (e.g. `altinn`). */
  readonly identityProvider: string
  /** What errors name as the target (scopes; never a token). */
  readonly target: string
  readonly spanName: string
  readonly attributes?: Readonly<Record<string, unknown>> | undefined
  readonly decode: (text: string, receivedAt: DateTime.Utc) => Result.Result<A, string>
}

/**
 * An endpoint, called as the SDK calls the sidecar.
 *
 * @category Models
 * @since 1.0.0
 */
export interface TokenEndpoint {
  /** The endpoint's URL, as errors name it. */
  readonly url: string
  /**
   * Sends `call.request`, retrying transient failures (transport, timeouts,
   * 5xx, 408, 429) on the schedule and within the budget; an error answer is a
   * `TokenEndpointError` with its status, an unusable 2xx an `InvalidTokenResponse`.
   */
  readonly call: <A>(call: Call<A>) => Effect.Effect<A, TokenError>
}

/**
 * Resolves `options` (a URL that is not http(s) fails with
 * `InvalidTokenRequest`) and builds the endpoint on the `HttpClient` in context.
 *
 * @example
 * ```ts
 * import { Effect, Result } from "effect"
 * import { HttpClientRequest } from "effect/http"
 * import { TokenEndpoint } from "@effect-texas/core/Engine"
 *
 * const program = Effect.gen(function*() {
 *   const endpoint = yield* TokenEndpoint.make({ endpoint: "https://platform.tt02.altinn.no/some/token" })
 *   return yield* endpoint.call({
 *     request: HttpClientRequest.get(endpoint.url),
 *     identityProvider: "example",
 *     target: "some:scope",
 *     spanName: "Example.fetch",
 *     decode: (text) => (text.length > 0 ? Result.succeed(text.length) : Result.fail("the body is empty"))
 *   })
 * })
 * ```
 *
 * @category Constructors
 * @since 1.0.0
 */
export const make = Effect.fnUntraced(function*(options: EndpointOptions) {
  const client = yield* HttpClient.HttpClient
  const settings = yield* resolveSettings(options, tokenDefaults)
  const call = <A>(call: Call<A>): Effect.Effect<A, TokenError> =>
    callEndpoint(
      client,
      settings,
      {
        _tag: "Send",
        request: call.request,
        providerName: call.identityProvider,
        target: call.target,
        spanName: call.spanName,
        attributes: call.attributes ?? {}
      },
      (status, _contentType, text, receivedAt) =>
        Result.mapError(call.decode(text, receivedAt), (reason) => new InvalidTokenResponse({ endpoint: settings.endpoint, status, reason }))
    )
  const endpoint: TokenEndpoint = { url: settings.endpoint, call }
  return endpoint
}) satisfies (options: EndpointOptions) => Effect.Effect<TokenEndpoint, InvalidTokenRequest, HttpClient.HttpClient>
