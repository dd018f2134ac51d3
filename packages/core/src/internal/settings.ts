/**
 * An endpoint's settings: resolved from a service's options once, at
 * construction (a bad endpoint fails the layer), or read through `Config` for
 * a `layerConfig`.
 */
import { Policy, Request } from "@effect-texas/protocol"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { EndpointOptions } from "../EndpointOptions.js"
import { InvalidTokenRequest, type TokenError } from "../TokenError.js"
import type { RequestEncoding } from "../TokenRequest.js"
import * as RetryBudget from "./retryBudget.js"

/** How the service talks to the endpoint; resolved from the options once, at construction. */
export interface EndpointSettings {
  readonly endpoint: string
  /** The endpoint's path (`/api/v1/token`, ...), as metrics name it. */
  readonly path: string
  readonly encoding: RequestEncoding
  readonly attemptTimeout: Duration.Duration
  readonly totalTimeout: Duration.Duration
  /** How long a refused connection (the sidecar starting) is retried: what the budget leaves after one full attempt. */
  readonly refusedWindow: Duration.Duration
  readonly retrySchedule: Schedule.Schedule<unknown, TokenError>
  /** Answers longer than this are refused unread: a token answer is a few KB. */
  readonly maxResponseBytes: number
  /** Shared by every call of the service these settings belong to. */
  readonly retryBudget: RetryBudget.RetryBudget
}


/** The token and exchange endpoints' defaults: an attempt outlasts the sidecar's own retries (`Policy.tokenTiming`). */
export const tokenDefaults = {
  attemptTimeout: Duration.millis(Policy.tokenTiming.attemptTimeoutMillis),
  timeout: Duration.millis(Policy.tokenTiming.timeoutMillis)
} as const

/**
 * Resolves the options once, at construction: a bad endpoint URL fails the
 * construction (and so the layer) with `InvalidTokenRequest` on `endpoint`.
 */
export const resolveSettings = (
  options: EndpointOptions,
  defaults: {
    readonly attemptTimeout: Duration.DurationInput
    readonly timeout: Duration.DurationInput
    readonly retrySchedule?: Schedule.Schedule<unknown, TokenError> | undefined
  }
): Effect.Effect<EndpointSettings, InvalidTokenRequest> => {
  const checked = Request.checkEndpoint(options.endpoint)
  if (Request.isInvalid(checked)) return Effect.fail(new InvalidTokenRequest({ field: checked.field, reason: checked.reason }))
  const attemptTimeout = Duration.decode(options.attemptTimeout ?? defaults.attemptTimeout)
  const totalTimeout = Duration.decode(options.timeout ?? defaults.timeout)
  return Effect.succeed({
    endpoint: checked,
    path: new URL(checked).pathname,
    encoding: options.encoding ?? "json",
    attemptTimeout,
    totalTimeout,
    refusedWindow: Duration.millis(Math.max(0, Duration.toMillis(totalTimeout) - Duration.toMillis(attemptTimeout))),
    retrySchedule: options.retrySchedule ?? defaults.retrySchedule ?? defaultRetrySchedule,
    maxResponseBytes: options.maxResponseBytes ?? 256 * 1024,
    retryBudget: options.retryBudget === false ? RetryBudget.unlimited : RetryBudget.make(options.retryBudget)
  })
}

/**
 * The options of a `layerConfig`, each a `Config` (as `OpenAiClient.layerConfig`
 * and `PgClient.layerConfig` take them); the endpoint is read from its
 * environment variable unless given.
 */
export type ConfigOptions<O extends EndpointOptions> =
  & Config.Config.Wrap<Omit<O, "endpoint">>
  & { readonly endpoint?: Config.Config<string | URL> | undefined }

/** Reads a `layerConfig`'s options. */
export const readConfig = <O extends EndpointOptions>(
  variable: string,
  options: ConfigOptions<O>
): Config.Config<O> => {
  const { endpoint, ...rest } = options
  // Config.unwrap cannot take an empty record (it throws): no options is no Config to read.
  const values = Object.keys(rest).length === 0
    ? Config.succeed({})
    : Config.unwrap(rest as Config.Config.Wrap<Omit<O, "endpoint">>)
  return Config.map(
    Config.all([values, endpoint ?? httpUrlConfig(variable)]),
    ([values, url]) => ({ ...values, endpoint: url }) as unknown as O
  )
}

/** Reads the environment variable `name` as an http(s) URL. */
const httpUrlConfig = (name: string): Config.Config<URL> =>
  Config.url(name).pipe(
    Config.validate({
      message: `${name} must be an http or https URL`,
      validation: (url) => url.protocol === "http:" || url.protocol === "https:"
    })
  )

/** Exponential from 200 ms, doubled each time, jittered, at most 3 retries: about 1.4 s in all. */
const defaultRetrySchedule: Schedule.Schedule<unknown, TokenError> = Schedule.exponential("200 millis", 2).pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(3))
)
