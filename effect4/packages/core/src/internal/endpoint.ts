/**
 * One call to a token endpoint: attempts (`attempt.ts`) on the retry policy, the start-up rule and
 * the overall budget, with its metrics and its span; and the token answer's decoding.
 */
import { Answers, Retry, Spans } from "@effect-texas/protocol"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import type * as HttpClient from "effect/http/HttpClient"
import { AccessToken } from "../AccessToken.js"
import { InvalidTokenResponse, isTransient, type TokenError } from "../TokenError.js"
import * as TokenMetrics from "../TokenMetrics.js"
import type { EndpointSettings } from "./settings.js"
import { attempt, type DecodeAnswer, type EndpointCall, isRefused, startupRetries, unreachable, wasAway } from "./attempt.js"

export type { DecodeAnswer, EndpointCall }

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
 * A call, retrying transient failures on the schedule (at least as long as
 * `Retry-After` asks) within the budget and the overall timeout, in its span.
 */
export const callEndpoint = <A>(
  client: HttpClient.HttpClient,
  settings: EndpointSettings,
  call: EndpointCall,
  decode: DecodeAnswer<A>,
  got: (value: A) => Parameters<typeof Spans.succeeded>[1] = () => ({})
): Effect.Effect<A, TokenError> => {
  const schedule = settings.retrySchedule.pipe(
    Schedule.modifyDelay(({ duration, input }) => Effect.succeed(Duration.max(duration, retryAfterOf(input as TokenError))))
  )
  const budget = settings.retryBudget
  const worthRetrying = (error: TokenError) => {
    const decision = Retry.afterFailure(failureOf(error), Duration.toMillis(settings.totalTimeout))
    if (decision !== "ask") return Effect.succeed(decision === "free")
    return Effect.tap(budget.allows, (allowed) => (allowed ? Effect.void : Metric.update(TokenMetrics.retriesDenied, 1)))
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
      const count = attempts > 1 ? Metric.update(TokenMetrics.retries, 1) : Effect.void
      return Effect.andThen(Effect.andThen(count, Metric.update(TokenMetrics.fetches, 1)), attempt(client, settings, call, decode))
    }).pipe(
      Effect.tapError((error) => learn(failureOf(error))),
      Effect.tap(() => learn(undefined))
    )
    const windowMillis = Duration.toMillis(settings.refusedWindow)
    const starting = (error: TokenError) =>
      Effect.map(Clock.currentTimeMillis, (nowMillis) => Retry.waitForStart(isRefused(error), { startedAtMillis: startedAt, nowMillis, windowMillis }))
    return counted.pipe(
      Effect.retry({ schedule: startupRetries, while: starting }),
      Effect.retry({ schedule, while: worthRetrying }),
      Effect.timeoutOrElse({
        duration: settings.totalTimeout,
        orElse: () => Effect.fail(unreachable(settings, "Timeout", `no answer within the overall budget of ${Duration.format(settings.totalTimeout)}`))
      }),
      Effect.tapError(() => Metric.update(TokenMetrics.failures, 1)),
      Effect.tap((value) => Effect.annotateCurrentSpan(Spans.succeeded(attempts, got(value)))),
      Effect.tapError((error) => Effect.annotateCurrentSpan(Spans.failed(attempts, error._tag)))
    )
  }).pipe(Effect.withSpan(call.spanName, { kind: "client", attributes: call.attributes }))
}

/** What a token answer adds to its span: its lifetime. */
export const annotateToken = (token: AccessToken) => ({ expiresInSeconds: Duration.toSeconds(token.expiresIn) })

/** A token answer (`/api/v1/token`, `/api/v1/token/exchange`) as an `AccessToken`. */
export const decodeToken = (settings: EndpointSettings): DecodeAnswer<AccessToken> => (status, contentType, text, receivedAt) => {
  const answer = Answers.decodeToken(text, contentType, DateTime.toEpochMillis(receivedAt))
  if (!answer.ok) return Result.fail(new InvalidTokenResponse({ endpoint: settings.endpoint, status, reason: answer.reason }))
  const expiresIn = Duration.seconds(answer.expiresInSeconds)
  return Result.succeed(new AccessToken({
    accessToken: Redacted.make(answer.accessToken),
    tokenType: "Bearer",
    expiresAt: DateTime.addDuration(receivedAt, expiresIn),
    expiresIn
  }))
}
