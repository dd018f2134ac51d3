/**
 * Is this application set up right for its tokens? Checks the environment
 * the manifest needs and asks the sidecar, through the SDK's own
 * `TokenService`, for a token per declared Maskinporten scope and Entra ID
 * target, one request each, so one bad scope does not hide the others. As
 * data (`verify`), as text (`render`) and as a startup check (`layerStartupCheck`).
 *
 * @since 1.0.0
 */
import { TokenService } from "@effect-texas/core"
import { Checkup } from "@effect-texas/doctor"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type * as HttpClient from "effect/http/HttpClient"
import * as Manifest from "./Manifest.js"

/**
 * One check and its verdict.
 *
 * @category models
 * @since 1.0.0
 */
export type Check = Checkup.Check

/**
 * What the doctor found.
 *
 * @category models
 * @since 1.0.0
 */
export type Report = Checkup.Report

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
 * @category errors
 * @since 1.0.0
 */
export class DoctorError extends Data.TaggedError("DoctorError")<{ readonly report: Report }> {
  override get message(): string {
    const failed = this.report.checks.filter((check) => !check.ok)
    return `${this.report.application} is not set up for its tokens: ${failed.map((check) => `${check.scope} (${check.verdict})`).join(", ")}`
  }
}

/** Asks for one token (no retries: one request tells) and says what came back. */
const ask = (tokens: TokenService["Service"], asked: Checkup.Ask) =>
  tokens.token({ identityProvider: asked.kind, target: asked.scope }).pipe(
    Effect.flatMap((token) => Effect.map(DateTime.now, (now) => Checkup.granted(asked, Duration.toSeconds(DateTime.distance(now, token.expiresAt))))),
    Effect.catch((error) => Effect.succeed(Checkup.refused(asked, error)))
  )

/**
 * Verifies a manifest (or plain Maskinporten scopes) against the running sidecar: the variables it needs,
 * then one token request per Maskinporten scope and per Entra ID target.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { Doctor, Manifest } from "@effect-texas/cli"
 *
 * const report = Effect.flatMap(Manifest.read("nais.yaml"), (manifest) => Doctor.verify(manifest)).pipe(
 *   Effect.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @category checks
 * @since 1.0.0
 */
export const verify = (
  manifestOrScopes: Manifest.Manifest | ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string | undefined>> | undefined } = {}
): Effect.Effect<Report, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const manifest = Array.isArray(manifestOrScopes) ? Checkup.fromScopes(manifestOrScopes) : (manifestOrScopes as Manifest.Manifest)
    const planned = Checkup.plan(manifest, options.env ?? process.env)
    if (planned.endpoint === undefined) return Checkup.report(manifest.application, planned.checks)
    const tokens = yield* TokenService.make({ endpoint: planned.endpoint, retrySchedule: Schedule.recurs(0), timeout: "10 seconds" }).pipe(Effect.orDie)
    const asked = yield* Effect.forEach(planned.asks, (asked) => ask(tokens, asked), { concurrency: 8 })
    return Checkup.report(manifest.application, [...planned.checks, ...asked])
  }).pipe(Effect.scoped)

/**
 * The report as a table for a terminal; tokens never appear in it.
 *
 * @example
 * ```ts
 * import { Doctor } from "@effect-texas/cli"
 *
 * console.log(Doctor.render({ application: "app", ok: true, checks: [] }))
 * ```
 *
 * @category rendering
 * @since 1.0.0
 */
export const render = (report: Report): string => Checkup.render(report)

/**
 * The report as JSON: one entry per check with `kind`, `scope`, `ok`,
 * `verdict`, `error`, `errorDescription` and `hint` (null when there is none).
 *
 * @example
 * ```ts
 * import { Doctor } from "@effect-texas/cli"
 *
 * const text = Doctor.toJson({ application: "app", ok: true, checks: [] })
 * ```
 *
 * @category rendering
 * @since 1.0.0
 */
export const toJson = (report: Report): string => Checkup.toJson(report)

/**
 * The same checks when the app starts: logs the report, and fails startup
 * when `failOnProblems` is set and a check failed (so a readiness probe can
 * hold traffic until grants have propagated).
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { Doctor } from "@effect-texas/cli"
 *
 * const StartupCheck = Doctor.layerStartupCheck({ manifest: ".nais/app.yaml" }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @category layers
 * @since 1.0.0
 */
export const layerStartupCheck = (
  options: { readonly manifest?: string | undefined; readonly failOnProblems?: boolean | undefined } = {}
): Layer.Layer<never, DoctorError | Manifest.ManifestError, HttpClient.HttpClient> =>
  Layer.effectDiscard(Effect.gen(function*() {
    const path = options.manifest ?? (yield* Manifest.find(process.cwd()))
    const report = yield* verify(yield* Manifest.read(path))
    if (report.ok) return yield* Effect.log(render(report))
    yield* Effect.logWarning(render(report))
    if (options.failOnProblems === true) return yield* Effect.fail(new DoctorError({ report }))
  }))
