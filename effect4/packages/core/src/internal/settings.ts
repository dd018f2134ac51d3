/**
 * An endpoint's settings, resolved from a service's options once, at
 * construction (a bad endpoint fails the layer), or read through `Config`.
 */
import { Policy, Request } from "@effect-texas/protocol"
import * as Config from "effect/Config"
import * as Schema from "effect/Schema"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { EndpointOptions, RetryBudgetOptions } from "../EndpointOptions.js"
import type { InvalidTokenRequest, TokenError } from "../TokenError.js"
import { typed } from "./prepare.js"
import type { RequestEncoding } from "../TokenRequest.js"

/** A retry budget shared by one service's calls (gRPC-style token bucket). */
export interface RetryBudget {
  readonly failed: Effect.Effect<void>
  readonly succeeded: Effect.Effect<void>
  readonly allows: Effect.Effect<boolean>
}

const unlimited: RetryBudget = { failed: Effect.void, succeeded: Effect.void, allows: Effect.succeed(true) }

const makeBudget = (options: RetryBudgetOptions = {}): RetryBudget => {
  const bucket = Policy.retryBucket(options)
  return { failed: Effect.sync(bucket.failed), succeeded: Effect.sync(bucket.succeeded), allows: Effect.sync(bucket.allows) }
}

export interface EndpointSettings {
  readonly endpoint: string
  readonly path: string
  readonly encoding: RequestEncoding
  readonly attemptTimeout: Duration.Duration
  readonly totalTimeout: Duration.Duration
  /** How long a refused connection (the sidecar starting) is retried: what the budget leaves after one full attempt. */
  readonly refusedWindow: Duration.Duration
  readonly retrySchedule: Schedule.Schedule<unknown, TokenError>
  readonly maxResponseBytes: number
  readonly retryBudget: RetryBudget
}

/** Exponential from 200 ms, doubled each time, jittered, at most 3 retries. */
const defaultRetrySchedule: Schedule.Schedule<unknown, TokenError> = Schedule.max([
  Schedule.jittered(Schedule.exponential("200 millis", 2)),
  Schedule.recurs(3)
])

/** The token and exchange endpoints' defaults: an attempt outlasts the sidecar's own retries (`Policy.tokenTiming`). */
export const tokenDefaults = {
  attemptTimeout: Duration.millis(Policy.tokenTiming.attemptTimeoutMillis),
  timeout: Duration.millis(Policy.tokenTiming.timeoutMillis)
} as const

export const resolveSettings = (
  options: EndpointOptions,
  defaults: { readonly attemptTimeout: Duration.Input; readonly timeout: Duration.Input }
): Effect.Effect<EndpointSettings, InvalidTokenRequest> => {
  const checked = typed(Request.checkEndpoint(options.endpoint))
  if (typeof checked !== "string") return Effect.fail(checked)
  const attemptTimeout = Duration.fromInputUnsafe(options.attemptTimeout ?? defaults.attemptTimeout)
  const totalTimeout = Duration.fromInputUnsafe(options.timeout ?? defaults.timeout)
  return Effect.succeed({
    endpoint: checked,
    path: new URL(checked).pathname,
    encoding: options.encoding ?? "json",
    attemptTimeout,
    totalTimeout,
    refusedWindow: Duration.millis(Math.max(0, Duration.toMillis(totalTimeout) - Duration.toMillis(attemptTimeout))),
    retrySchedule: options.retrySchedule ?? defaultRetrySchedule,
    maxResponseBytes: options.maxResponseBytes ?? 256 * 1024,
    retryBudget: options.retryBudget === false ? unlimited : makeBudget(options.retryBudget)
  })
}

/**
 * The options of a `layerConfig`, each a `Config`; the endpoint is read from
 * its environment variable unless given.
 */
export type ConfigOptions<O extends EndpointOptions> =
  & Config.Wrap<Omit<O, "endpoint">>
  & { readonly endpoint?: Config.Config<string | URL> | undefined }

/** Reads the environment variable `name` as an http(s) URL: anything else is a `ConfigError` naming it, as on the Effect 3 line. */
const httpUrl = (name: string): Config.Config<URL> =>
  Config.schema(
    Schema.URL.check(Schema.makeFilter((url) => url.protocol === "http:" || url.protocol === "https:" ? undefined : `${name} must be an http or https URL`)),
    name
  )

export const readConfig = <O extends EndpointOptions>(variable: string, options: ConfigOptions<O>): Config.Config<O> => {
  const { endpoint, ...rest } = options
  const values = Object.keys(rest).length === 0 ? Config.succeed({}) : Config.unwrap(rest as Config.Wrap<Omit<O, "endpoint">>)
  return Config.map(Config.all([values, endpoint ?? httpUrl(variable)]), ([values, url]) => ({ ...values, endpoint: url }) as unknown as O)
}
