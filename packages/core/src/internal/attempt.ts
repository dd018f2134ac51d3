/**
 * One attempt at a token endpoint: the POST, sent only where it was meant to go, the answer
 * read within its limits and decoded into a value or a typed error. The retries around it are
 * `endpoint.ts`'s.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Answers, Metrics, Origins, Wire } from "@effect-texas/protocol"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { AccessToken } from "../AccessToken.js"
import { InvalidTokenResponse, TokenEndpointError, type TokenError, TokenEndpointUnreachable } from "../TokenError.js"
import * as TokenMetrics from "../TokenMetrics.js"
import type { EndpointSettings } from "./settings.js"

// ---- decoding ----------------------------------------------------------------

/** `Retry-After` as seconds or an HTTP date; anything else is ignored. */
const parseRetryAfter = (value: string | undefined, now: number): Duration.Duration | undefined => {
  const millis = Wire.retryAfterMillis(value, now)
  return millis === undefined ? undefined : Duration.millis(millis)
}

const toErrorAnswer = (
  settings: EndpointSettings,
  request: EndpointCall,
  response: HttpClientResponse.HttpClientResponse,
  text: string,
  now: number
): TokenEndpointError => {
  const body = Wire.errorBody(text)
  return new TokenEndpointError({
    endpoint: settings.endpoint,
    status: response.status,
    error: body?.error ?? "unknown_error",
    errorDescription: body?.description ??
      `the body is not an OAuth error (${Wire.describeBody(response.headers["content-type"], text)})`,
    identityProvider: request.providerName,
    target: request.target,
    retryAfter: parseRetryAfter(response.headers["retry-after"], now)
  })
}

export const toAccessToken = (
  settings: EndpointSettings,
  response: HttpClientResponse.HttpClientResponse,
  text: string,
  receivedAt: DateTime.Utc
): Either.Either<AccessToken, InvalidTokenResponse> => {
  const answer = Answers.decodeToken(text, response.headers["content-type"], DateTime.toEpochMillis(receivedAt))
  if (!answer.ok) return Either.left(new InvalidTokenResponse({ endpoint: settings.endpoint, status: response.status, reason: answer.reason }))
  const expiresIn = Duration.seconds(answer.expiresInSeconds)
  return Either.right(
    new AccessToken({
      accessToken: Redacted.make(answer.accessToken),
      tokenType: "Bearer",
      expiresAt: DateTime.addDuration(receivedAt, expiresIn),
      expiresIn
    })
  )
}

// ---- the wire ----------------------------------------------------------------

/** A POST of `fields` to the endpoint, in its encoding, asking for JSON. */
const postFields = (settings: EndpointSettings, fields: Readonly<Record<string, unknown>>) => {
  const body = Wire.encodeFields(fields, settings.encoding)
  return HttpClientRequest.post(settings.endpoint).pipe(
    HttpClientRequest.acceptJson,
    HttpClientRequest.bodyText(body.text, body.contentType)
  )
}

// ---- one attempt -------------------------------------------------------------

/**
 * The endpoint is only ever reached at its configured URL, whatever client the
 * application provides: under `fetch` a redirect comes back as the 3xx it is
 * (an error) and without its `Location`, so not even a client that follows
 * redirects by itself (`HttpClient.followRedirects`) takes the request
 * elsewhere; any other client that did is caught by `cameFromElsewhere`.
 */
const sendHere = (client: HttpClient.HttpClient, request: HttpClientRequest.HttpClientRequest) =>
  Effect.flatMap(Effect.serviceOption(FetchHttpClient.Fetch), (fetch) =>
    Effect.provideService(
      client.execute(request),
      FetchHttpClient.Fetch,
      Origins.fetchWithoutRedirects(Option.getOrElse(fetch, () => globalThis.fetch))
    ))

/** Whether the client followed a redirect on its own: the answer is then not the endpoint's. */
const cameFromElsewhere = (settings: EndpointSettings, request: HttpClientRequest.HttpClientRequest, response: HttpClientResponse.HttpClientResponse) =>
  response.request.url !== request.url
    ? Effect.fail(new InvalidTokenResponse({
      endpoint: settings.endpoint,
      status: response.status,
      reason: "the HttpClient followed a redirect away from the endpoint; the SDK's calls never follow redirects"
    }))
    : Effect.void

const tooLarge = (settings: EndpointSettings, response: HttpClientResponse.HttpClientResponse) =>
  new InvalidTokenResponse({
    endpoint: settings.endpoint,
    status: response.status,
    reason: `the body is larger than ${settings.maxResponseBytes} bytes`
  })

/**
 * The body as text, refusing one longer than the limit without buffering it:
 * a declared length is checked first, the bytes as they arrive after that.
 */
const readText = (
  settings: EndpointSettings,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, InvalidTokenResponse | HttpClientError.ResponseError> => {
  const limit = settings.maxResponseBytes
  const declared = Number(response.headers["content-length"])
  if (Number.isFinite(declared) && declared > limit) return Effect.fail(tooLarge(settings, response))
  let size = 0
  return response.stream.pipe(
    Stream.tap((chunk) => {
      size += chunk.length
      return size > limit ? Effect.fail(tooLarge(settings, response)) : Effect.void
    }),
    Stream.decodeText(),
    Stream.mkString
  )
}

export const unreachable = (settings: EndpointSettings, reason: TokenEndpointUnreachable["reason"], detail: string) =>
  new TokenEndpointUnreachable({ endpoint: settings.endpoint, reason, detail })

/**
 * Marks a transport failure whose connection was lost before an answer (a sidecar restarting resets
 * the requests in flight): still reason `Transport` to the caller, marked for the retry budget by a
 * hidden property (it survives the proxy a failure travels in, where a WeakSet would not).
 */
const connectionLost = Symbol.for("@effect-texas/core/connectionLost")

/** A transport failure as the error it is: a refused connection (nothing listening), or another failure. */
const transportFailure = (settings: EndpointSettings, error: { readonly message: string }) => {
  if (Wire.isConnectionRefused(error)) return unreachable(settings, "Refused", `connection refused (${error.message})`)
  const failure = unreachable(settings, "Transport", error.message)
  if (Wire.isConnectionLost(error)) Object.defineProperty(failure, connectionLost, { value: true })
  return failure
}

/** Nothing listened: the sidecar is starting (or gone). */
export const isRefused = (error: TokenError): boolean => error._tag === "TokenEndpointUnreachable" && error.reason === "Refused"

/**
 * The sidecar was away (refused, or the connection lost before an answer): it did no work for
 * the request, so the failure draws nothing from the retry budget, and a retry is not denied by it.
 */
export const wasAway = (error: TokenError): boolean => isRefused(error) || connectionLost in error

/** What every call names: the provider and target its errors report, and its span. */
interface CallNames {
  readonly providerName: string
  /** What errors name as the target (never a token). */
  readonly target: string
  readonly spanName: string
  readonly attributes: Readonly<Record<string, unknown>>
}

/**
 * One call to an endpoint: body fields POSTed to the sidecar's endpoint in
 * the configured encoding, or a whole request sent as it is (an endpoint that
 * is not the sidecar's, such as Altinn's exchange).
 */
export type EndpointCall =
  | (CallNames & { readonly _tag: "Post"; readonly fields: Readonly<Record<string, unknown>> })
  | (CallNames & { readonly _tag: "Send"; readonly request: HttpClientRequest.HttpClientRequest })

/** Turns a 2xx answer into the value the caller wants, or says why it is not usable. */
export type DecodeAnswer<A> = (
  response: HttpClientResponse.HttpClientResponse,
  text: string,
  receivedAt: DateTime.Utc
) => Either.Either<A, InvalidTokenResponse>

/**
 * The outcome of one attempt for the duration histogram: `ok`, the status of
 * an error answer, or the error's tag (OpenTelemetry's `error.type`).
 */
const outcomeOf = (exit: Exit.Exit<unknown, TokenError>): string => {
  if (Exit.isSuccess(exit)) return Metrics.outcome("ok")
  const error = Cause.failureOption(exit.cause)
  return Option.isSome(error) ? Metrics.outcome(error.value) : Metrics.outcome("interrupted")
}

/** Records one attempt's duration, per endpoint path and outcome. */
const timed = <A>(settings: EndpointSettings, effect: Effect.Effect<A, TokenError>): Effect.Effect<A, TokenError> =>
  Effect.flatMap(Clock.currentTimeNanos, (started) =>
    Effect.onExit(effect, (exit) =>
      Effect.flatMap(Clock.currentTimeNanos, (ended) =>
        Metric.update(
          TokenMetrics.requestDuration.pipe(
            Metric.tagged("texas.endpoint", settings.path),
            Metric.tagged("outcome", outcomeOf(exit))
          ),
          Number(ended - started) / 1e9
        ))))

export const attempt = <A>(
  client: HttpClient.HttpClient,
  settings: EndpointSettings,
  call: EndpointCall,
  decode: DecodeAnswer<A>
): Effect.Effect<A, TokenError> => timed(settings, attemptOnce(client, settings, call, decode))

const attemptOnce = <A>(
  client: HttpClient.HttpClient,
  settings: EndpointSettings,
  call: EndpointCall,
  decode: DecodeAnswer<A>
): Effect.Effect<A, TokenError> => {
  const httpRequest = call._tag === "Post" ? postFields(settings, call.fields) : call.request
  return sendHere(client, httpRequest).pipe(
    Effect.tap((response) => cameFromElsewhere(settings, httpRequest, response)),
    Effect.flatMap((response) =>
      Effect.map(readText(settings, response), (text) => [response, text] as const)
    ),
    // Transport errors and bodies cut off mid-way: no answer was had.
    Effect.mapError((error) =>
      error._tag === "InvalidTokenResponse" ? error : transportFailure(settings, error)
    ),
    Effect.timeoutFail({
      duration: settings.attemptTimeout,
      onTimeout: () =>
        unreachable(settings, "Timeout", `no complete answer within ${Duration.format(settings.attemptTimeout)}`)
    }),
    Effect.flatMap(([response, text]) =>
      Effect.flatMap(DateTime.now, (receivedAt): Effect.Effect<A, TokenError> => {
        if (response.status >= 200 && response.status < 300) return decode(response, text, receivedAt)
        return Effect.fail(toErrorAnswer(settings, call, response, text, DateTime.toEpochMillis(receivedAt)))
      })
    )
  )
}
