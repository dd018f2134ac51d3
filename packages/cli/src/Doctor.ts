/**
 * Is this application set up right for its tokens? Checks the environment
 * the manifest needs and asks the sidecar, through the SDK's own
 * `TokenService`, for a token per declared Maskinporten scope and Entra ID
 * target, one request each, so one bad scope does not hide the others. As
 * data (`verify`), as text (`render`) and as a startup check (`layerStartupCheck`).
 *
 * @since 0.2.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { type TokenError, TokenService } from "@effect-texas/core"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Manifest from "./Manifest.js"

/**
 * One check and its verdict.
 *
 * @category models
 * @since 0.2.0
 */
export interface Check {
  readonly kind: "environment" | "maskinporten" | "entra_id"
  /** The scope, the Entra ID target, or the variable checked. */
  readonly scope: string
  readonly ok: boolean
  /** `ok, valid for 59m 59s`, `invalid_scope`, `provider not enabled`, `unreachable`, `not declared`, `not set`, ... */
  readonly verdict: string
  /** The OAuth error code, when the sidecar gave one. */
  readonly error: string | undefined
  readonly errorDescription: string | undefined
  /** What to do about it, in the how-to's words. */
  readonly hint: string | undefined
}

/**
 * What the doctor found.
 *
 * @category models
 * @since 0.2.0
 */
export interface Report {
  readonly application: string
  readonly ok: boolean
  readonly checks: ReadonlyArray<Check>
}

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
 * @since 0.2.0
 */
export class DoctorError extends Data.TaggedError("DoctorError")<{ readonly report: Report }> {
  override get message(): string {
    const failed = this.report.checks.filter((check) => !check.ok)
    return `${this.report.application} is not set up for its tokens: ${failed.map((check) => `${check.scope} (${check.verdict})`).join(", ")}`
  }
}

/** NAV's organisation number, which Maskinporten scopes are granted to. */
const organisation = "889640782"

const invalidScopeHint =
  `Is the scope declared in the manifest (spec.maskinporten.scopes.consumes)? Has the API owner granted it to organisation ${organisation}? ` +
  "Was it changed less than 15 minutes ago? Changes take up to 15 minutes to propagate."

const check = (kind: Check["kind"], scope: string, verdict: string, fields: Partial<Check> = {}): Check => ({
  kind,
  scope,
  ok: false,
  verdict,
  error: undefined,
  errorDescription: undefined,
  hint: undefined,
  ...fields
})

/** A token error as a verdict; never the token, which an error does not carry. */
const verdictOf = (kind: Check["kind"], scope: string, error: TokenError): Check => {
  switch (error._tag) {
    case "TokenEndpointError": {
      const base = { error: error.error, errorDescription: error.errorDescription }
      if (error.error === "invalid_scope") return check(kind, scope, "invalid_scope", { ...base, hint: invalidScopeHint })
      if (/is not enabled/.test(error.errorDescription)) {
        return check(kind, scope, "provider not enabled", { ...base, hint: "Enable it in the manifest and deploy." })
      }
      return check(kind, scope, error.error, base)
    }
    case "TokenEndpointUnreachable":
      return check(kind, scope, "unreachable", { error: error.reason, errorDescription: error.detail, hint: "Is the token sidecar running beside the app?" })
    default:
      return check(kind, scope, error._tag, { errorDescription: error.message })
  }
}

/** The Entra ID target for an outbound rule: `api://<cluster>.<namespace>.<application>/.default`. */
const entraTarget = (rule: Manifest.Manifest["outbound"][number], cluster: string, namespace: string) =>
  `api://${rule.cluster ?? cluster}.${rule.namespace ?? namespace}.${rule.application}/.default`

/** Asks for one token (no retries: one request tells) and says what came back. */
const ask = (tokens: TokenService.Service, kind: Check["kind"], scope: string) =>
  tokens.token({ identityProvider: kind === "entra_id" ? "entra_id" : "maskinporten", target: scope }).pipe(
    Effect.flatMap((token) =>
      Effect.map(DateTime.now, (now) =>
        check(kind, scope, `ok, valid for ${Duration.format(Duration.seconds(Math.max(0, Math.floor(DateTime.distance(now, token.expiresAt) / 1000))))}`, { ok: true })
      )
    ),
    Effect.catchAll((error) => Effect.succeed(verdictOf(kind, scope, error)))
  )

/** Checks the variable `name` is set and an http(s) URL. */
const environmentCheck = (env: Readonly<Record<string, string | undefined>>, name: string): Check => {
  const value = env[name]
  if (value === undefined || value === "") return check("environment", name, "not set", { hint: "Is the app running on NAIS with the token sidecar enabled?" })
  const url = URL.canParse(value) ? new URL(value) : undefined
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) return check("environment", name, "not an http(s) URL")
  return check("environment", name, "ok", { ok: true })
}

const isScopes = (value: Manifest.Manifest | ReadonlyArray<string>): value is ReadonlyArray<string> => Array.isArray(value)

/** Plain Maskinporten scopes, as if a manifest declared them. */
const fromScopes = (scopes: ReadonlyArray<string>): Manifest.Manifest => ({
  application: "the application",
  namespace: undefined,
  maskinporten: true,
  scopes,
  entraId: false,
  outbound: [],
  tokenX: false
})

/**
 * Verifies a manifest (or plain Maskinporten scopes) against the running sidecar: the variables it needs,
 * then one token request per Maskinporten scope and per Entra ID target.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { Doctor, Manifest } from "@effect-texas/cli"
 *
 * const report = Effect.flatMap(Manifest.read("nais.yaml"), (manifest) => Doctor.verify(manifest)).pipe(
 *   Effect.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @category checks
 * @since 0.2.0
 */
export const verify = (
  manifestOrScopes: Manifest.Manifest | ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string | undefined>> | undefined } = {}
): Effect.Effect<Report, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const manifest = isScopes(manifestOrScopes) ? fromScopes(manifestOrScopes) : manifestOrScopes
    const env = options.env ?? process.env
    const entraTargets = manifest.entraId
      ? manifest.outbound.map((rule) => entraTarget(rule, env["NAIS_CLUSTER_NAME"] ?? "dev-gcp", manifest.namespace ?? "default"))
      : []
    const scopeChecks: Array<readonly [Check["kind"], string]> = [
      ...manifest.scopes.map((scope) => ["maskinporten", scope] as const),
      ...entraTargets.map((target) => ["entra_id", target] as const)
    ]
    const endpointCheck = environmentCheck(env, "NAIS_TOKEN_ENDPOINT")
    const checks: Array<Check> = [endpointCheck]
    if (manifest.tokenX || manifest.entraId) {
      checks.push(environmentCheck(env, "NAIS_TOKEN_EXCHANGE_ENDPOINT"), environmentCheck(env, "NAIS_TOKEN_INTROSPECTION_ENDPOINT"))
    }
    if (!manifest.maskinporten) {
      checks.push(...manifest.scopes.map((scope) => check("maskinporten", scope, "not declared", { hint: "spec.maskinporten.enabled is not true." })))
      scopeChecks.splice(0, manifest.scopes.length)
    }
    if (endpointCheck.ok) {
      const tokens = yield* TokenService.make({
        endpoint: env["NAIS_TOKEN_ENDPOINT"]!,
        retrySchedule: Schedule.stop,
        timeout: "10 seconds"
      }).pipe(Effect.orDie)
      checks.push(...yield* Effect.forEach(scopeChecks, ([kind, scope]) => ask(tokens, kind, scope), { concurrency: 8 }))
    }
    return { application: manifest.application, ok: checks.every((c) => c.ok), checks }
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
 * @since 0.2.0
 */
export const render = (report: Report): string => {
  const width = Math.max(5, ...report.checks.map((c) => printable(c.scope).length))
  const lines = report.checks.flatMap((c) => [
    `${c.ok ? "ok  " : "FAIL"}  ${printable(c.kind).padEnd(12)} ${printable(c.scope).padEnd(width)}  ${printable(c.verdict)}`,
    ...(c.ok || c.errorDescription === undefined ? [] : [`      ${" ".repeat(12)} ${" ".repeat(width)}  ${printable(c.errorDescription)}`]),
    ...(c.ok || c.hint === undefined ? [] : [`      ${" ".repeat(12)} ${" ".repeat(width)}  hint: ${printable(c.hint)}`])
  ])
  const application = printable(report.application)
  const summary = report.ok ? `${application}: all ${report.checks.length} checks passed` : `${application}: ${report.checks.filter((c) => !c.ok).length} of ${report.checks.length} checks failed`
  return [...lines, summary].join("\n")
}

/**
 * Text as a terminal may show it: control characters (escape sequences that
 * could move the cursor, erase a FAIL line or print a fake "ok", and line
 * breaks) from what a server or a manifest said become \uFFFD.
 */
// eslint-disable-next-line no-control-regex
const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "\uFFFD")

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
 * @since 0.2.0
 */
export const toJson = (report: Report): string =>
  JSON.stringify(report, (_key, value: unknown) => (value === undefined ? null : value), 2)

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
 * @category layers
 * @since 0.2.0
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
