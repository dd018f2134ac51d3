/**
 * Is this application set up right for its tokens? Checks the environment
 * the manifest needs and asks the sidecar, through the SDK's own
 * `TokenService` and `TokenIntrospection`, for a token per declared
 * Maskinporten scope and Entra ID target, one request each, so one bad scope
 * does not hide the others, and for an introspection per provider whose
 * tokens the application validates. As data (`verify`), as text (`render`)
 * and as a startup check (`layerStartupCheck`).
 *
 * @since 0.1.0
 */
import { Messages } from "@effect-texas/protocol"
import type * as HttpClient from "@effect/platform/HttpClient"
import { TokenIntrospection, TokenService } from "@effect-texas/core"
import { Checkup, Output, Plan } from "@effect-texas/doctor"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Manifest from "./Manifest.js"

/**
 * One check and its verdict.
 *
 * @category Models
 * @since 0.1.0
 */
export type Check = Checkup.Check

/**
 * What the doctor found.
 *
 * @category Models
 * @since 0.1.0
 */
export type Report = Plan.Report

/**
 * The startup check found problems and was told to fail.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Doctor } from "@effect-texas/cli"
 *
 * const explain = (error: Doctor.DoctorError) => Effect.logError(error.message)
 * ```
 *
 * @category Errors
 * @since 0.1.0
 */
export class DoctorError extends Data.TaggedError("DoctorError")<{ readonly report: Report }> {
  override get message(): string {
    return Messages.doctorFailed(this.report)
  }
}

/** Asks for one token (no retries: one request tells) and says what came back. */
const ask = (tokens: TokenService["Type"], asked: Checkup.Ask) =>
  tokens.token({ identityProvider: asked.kind, target: asked.scope }).pipe(
    Effect.flatMap((token) => Effect.map(DateTime.now, (now) => Checkup.granted(asked, DateTime.distance(now, token.expiresAt) / 1000))),
    Effect.catchAll((error) => Effect.succeed(Checkup.refused(asked, error)))
  )

/** Introspects the probe token (no retries, no cache) and says what the answer means. */
const probe = (introspection: TokenIntrospection["Type"], probed: Checkup.Probe) =>
  introspection.introspect({ identityProvider: probed.provider, token: Redacted.make(Checkup.probeToken) }).pipe(
    Effect.map((result) => Checkup.probed(probed, result)),
    Effect.catchAll((error) => Effect.succeed(Checkup.probed(probed, error)))
  )

/** One request per scope, target and provider, so one bad one hides none of the others; at most 10 seconds each. */
const once = { retrySchedule: Schedule.stop, timeout: "10 seconds", attemptTimeout: "10 seconds" } as const

/**
 * Settings of `verify`.
 *
 * @category Options
 * @since 0.1.0
 */
export interface VerifyOptions {
  /**
   * The environment: the sidecar's endpoints and `NAIS_CLUSTER_NAME`.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /** The cluster the application runs in, before `NAIS_CLUSTER_NAME` (for Entra ID targets in it). */
  readonly cluster?: string | undefined
}

/**
 * Verifies a manifest (or plain Maskinporten scopes) against the running
 * sidecar: the variables it needs, one token request per Maskinporten scope
 * and Entra ID target, and one introspection per provider whose tokens the
 * application validates; what cannot be checked (templated values, an
 * unknown cluster) is reported as not checked, with a warning.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { Doctor, Manifest } from "@effect-texas/cli"
 *
 * const report = Effect.flatMap(Manifest.read("nais.yaml"), (manifest) => Doctor.verify(manifest, { cluster: "dev-gcp" })).pipe(
 *   Effect.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @category Checks
 * @since 0.1.0
 */
export const verify = (
  manifestOrScopes: Manifest.Manifest | ReadonlyArray<string>,
  options: VerifyOptions = {}
): Effect.Effect<Report, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const manifest = Array.isArray(manifestOrScopes) ? Plan.fromScopes(manifestOrScopes) : (manifestOrScopes as Manifest.Manifest)
    const planned = Plan.plan(manifest, { env: options.env ?? process.env, cluster: options.cluster })
    const { introspectionEndpoint: introspectAt, tokenEndpoint: tokensAt } = planned
    const tokens = tokensAt === undefined ? undefined : yield* Effect.orDie(TokenService.make({ endpoint: tokensAt, ...once }))
    const introspection = introspectAt === undefined ? undefined : yield* Effect.orDie(TokenIntrospection.make({ endpoint: introspectAt, cache: false, ...once }))
    const checks = yield* Effect.forEach(planned.steps, (step): Effect.Effect<Checkup.Check> => {
      if (step._tag === "Ask" && tokens !== undefined) return ask(tokens, step.ask)
      if (step._tag === "Probe" && introspection !== undefined) return probe(introspection, step.probe)
      return Effect.succeed(step._tag === "Decided" ? step.check : Checkup.check("environment", step._tag, "no endpoint"))
    }, { concurrency: 8 })
    return Plan.report(planned, checks)
  }).pipe(Effect.scoped)

/**
 * The report as a table for a terminal; tokens never appear in it.
 *
 * @example
 * ```ts
 * import { Doctor } from "@effect-texas/cli"
 *
 * console.log(Doctor.render({ application: "app", kind: "Application", cluster: "dev-gcp", ok: true, checks: [], warnings: [] }))
 * ```
 *
 * @category Rendering
 * @since 0.1.0
 */
export const render = (report: Report, options: Output.RenderOptions = {}): string => Output.render(report, options)

/**
 * The report as one JSON document: `ok`, `application`, `kind`, `cluster`,
 * `warnings`, and per check `kind`, `scope`, `status`, `ok`, `verdict`,
 * `error`, `errorDescription` and `hint` (null when there is none).
 *
 * @example
 * ```ts
 * import { Doctor } from "@effect-texas/cli"
 *
 * const text = Doctor.toJson({ application: "app", kind: "Application", cluster: undefined, ok: true, checks: [], warnings: [] })
 * ```
 *
 * @category Rendering
 * @since 0.1.0
 */
export const toJson = (report: Report): string => Output.toJson(report)

/**
 * The same checks when the app starts: logs the report, and fails startup
 * when `failOnProblems` is set and a check failed (so a readiness probe can
 * hold traffic until grants have propagated).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 * import { Doctor } from "@effect-texas/cli"
 *
 * const StartupCheck = Doctor.layerStartupCheck({ manifest: ".nais/app.yaml" }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @category Layers
 * @since 0.1.0
 */
export const layerStartupCheck = (
  options: {
    readonly manifest?: string | undefined
    readonly failOnProblems?: boolean | undefined
    /** Template variables, when the manifest in the image is templated. */
    readonly variables?: Readonly<Record<string, unknown>> | undefined
    readonly cluster?: string | undefined
  } = {}
): Layer.Layer<never, DoctorError | Manifest.ManifestError, HttpClient.HttpClient> =>
  Layer.effectDiscard(Effect.gen(function*() {
    const path = options.manifest ?? (yield* Manifest.find(process.cwd()))
    const report = yield* verify(yield* Manifest.read(path, { variables: options.variables }), { cluster: options.cluster })
    const text = [...report.warnings.map((warning) => `warning: ${warning}`), render(report)].join("\n")
    if (report.ok) return yield* Effect.log(text)
    yield* Effect.logWarning(text)
    if (options.failOnProblems === true) return yield* Effect.fail(new DoctorError({ report }))
  }))
