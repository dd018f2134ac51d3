/**
 * One token acquisition from the endpoint: the POST, the decoding of the
 * answer into an `AccessToken` or a typed error, and the retry policy.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Answers, Metrics, Origins, Retry, Spans, Wire } from "@effect-texas/protocol"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { AccessToken } from "../AccessToken.js"
import {
  InvalidTokenResponse,
  isTransient,
  TokenEndpointError,
  type TokenError,
  TokenEndpointUnreachable
} from "../TokenError.js"
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

const toAccessToken = (
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

const unreachable = (settings: EndpointSettings, reason: TokenEndpointUnreachable["reason"], detail: string) =>
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
const isRefused = (error: TokenError): boolean => error._tag === "TokenEndpointUnreachable" && error.reason === "Refused"

/**
 * The sidecar was away (refused, or the connection lost before an answer): it did no work for
 * the request, so the failure draws nothing from the retry budget, and a retry is not denied by it.
 */
const wasAway = (error: TokenError): boolean => isRefused(error) || connectionLost in error

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

const attempt = <A>(
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

// ---- retry -------------------------------------------------------------------

/** A failed attempt as the shared retry decisions see it (`Retry` in `@effect-texas/protocol`). */
const failureOf = (error: TokenError): Retry.Failure => ({
  transient: isTransient(error),
  refused: isRefused(error),
  away: wasAway(error),
  retryAfterMillis: Duration.toMillis(retryAfterOf(error))
})

const retryAfterOf = (error: TokenError): Duration.Duration =>
  error._tag === "TokenEndpointError" && error.retryAfter !== undefined ? error.retryAfter : Duration.zero

/**
 * While nothing listens (the sidecar is starting): again after 100 ms,
 * doubling to at most 1 s, jittered, for as long as `refusedWindow` allows.
 */
const startupRetries: Schedule.Schedule<unknown, TokenError> = Schedule.exponential("100 millis").pipe(
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(1))),
  Schedule.jittered
)

/** The configured schedule, waiting at least as long as the server's `Retry-After` asks. */
const honouringRetryAfter = (schedule: Schedule.Schedule<unknown, TokenError>) =>
  Schedule.intersect(schedule, Schedule.identity<TokenError>()).pipe(
    Schedule.modifyDelay(([, error], delay) => Duration.max(delay, retryAfterOf(error)))
  )

/**
 * A call to the endpoint, retrying transient failures on the schedule within
 * the overall budget, in a span of its own. A `Retry-After` longer than the
 * whole budget is not waited for: the error is returned at once.
 */
export const callEndpoint = <A>(
  client: HttpClient.HttpClient,
  settings: EndpointSettings,
  call: EndpointCall,
  decode: DecodeAnswer<A>,
  got: (value: A) => Parameters<typeof Spans.succeeded>[1] = () => ({})
): Effect.Effect<A, TokenError> => {
  const schedule = honouringRetryAfter(settings.retrySchedule)
  const budget = settings.retryBudget
  const worthRetrying = (error: TokenError) => {
    const decision = Retry.afterFailure(failureOf(error), Duration.toMillis(settings.totalTimeout))
    if (decision !== "ask") return Effect.succeed(decision === "free")
    return Effect.tap(budget.allows, (allowed) => (allowed ? Effect.void : Metric.increment(TokenMetrics.retriesDenied)))
  }
  const learn = (failure: Retry.Failure | undefined) => {
    const learnt = Retry.budgetLearns(failure)
    return learnt === "nothing" ? Effect.void : learnt === "failed" ? budget.failed : budget.succeeded
  }
  return Effect.flatMap(Clock.currentTimeMillis, (startedAt) => {
    let attempts = 0
    // A sidecar that was away (refused, or reset mid-request) did no work: nothing from the retry budget.
    const counted = Effect.suspend(() => {
      attempts++
      const count = attempts > 1 ? Metric.increment(TokenMetrics.retries) : Effect.void
      return Effect.zipRight(Effect.zipRight(count, Metric.increment(TokenMetrics.fetches)), attempt(client, settings, call, decode))
    }).pipe(Effect.tapBoth({ onFailure: (error) => learn(failureOf(error)), onSuccess: () => learn(undefined) }))
    const windowMillis = Duration.toMillis(settings.refusedWindow)
    const starting = (error: TokenError) =>
      Effect.map(Clock.currentTimeMillis, (nowMillis) => Retry.waitForStart(isRefused(error), { startedAtMillis: startedAt, nowMillis, windowMillis }))
    return counted.pipe(
      Effect.retry({ schedule: startupRetries, while: starting }),
      Effect.retry({ schedule, while: worthRetrying }),
      Effect.timeoutFail({
        duration: settings.totalTimeout,
        onTimeout: () =>
          unreachable(settings, "Timeout", `no answer within the overall budget of ${Duration.format(settings.totalTimeout)}`)
      }),
      Effect.tapError(() => Metric.increment(TokenMetrics.failures)),
      Effect.tap((value) => Effect.annotateCurrentSpan(Spans.succeeded(attempts, got(value)))),
      Effect.tapError((error) => Effect.annotateCurrentSpan(Spans.failed(attempts, error._tag)))
    )
  }).pipe(Effect.withSpan(call.spanName, { kind: "client", attributes: call.attributes }))
}

/** The decoding of a token answer (`/api/v1/token` and `/api/v1/token/exchange`). */
const decodeToken = (settings: EndpointSettings): DecodeAnswer<AccessToken> => (response, text, receivedAt) =>
  toAccessToken(settings, response, text, receivedAt)

const annotateToken = (token: AccessToken) => ({ expiresInSeconds: Duration.toSeconds(token.expiresIn) })

/** A token from `/api/v1/token` or `/api/v1/token/exchange`, as the service describes the call. */
export const fetchAccessToken = (
  client: HttpClient.HttpClient,
  settings: EndpointSettings,
  call: EndpointCall
): Effect.Effect<AccessToken, TokenError> => callEndpoint(client, settings, call, decodeToken(settings), annotateToken)
