/**
 * One call to a token endpoint: attempts (`attempt.ts`) on the retry policy, the start-up rule and
 * the overall budget, with its metrics and its span; and the token answer's decoding.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { Retry, Spans } from "@effect-texas/protocol"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Schedule from "effect/Schedule"
import { AccessToken } from "../AccessToken.js"
import { isTransient, type TokenError } from "../TokenError.js"
import * as TokenMetrics from "../TokenMetrics.js"
import type { EndpointSettings } from "./settings.js"
import { attempt, type DecodeAnswer, type EndpointCall, isRefused, toAccessToken, unreachable, wasAway } from "./attempt.js"

export type { DecodeAnswer, EndpointCall }

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
