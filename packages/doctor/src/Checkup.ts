/**
 * What the doctor checks and how it reports, without Effect: the checks a
 * manifest implies, a token error as a verdict with its hint, and the report
 * as text and JSON. Each line's `Doctor` only asks the sidecar.
 *
 * @since 0.2.0
 */
import type { Manifest } from "./Manifest.js"

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
 * A token request the doctor makes: the kind of token and its scope or target.
 *
 * @category models
 * @since 0.2.0
 */
export interface Ask {
  readonly kind: "maskinporten" | "entra_id"
  readonly scope: string
}

/**
 * The SDK's token errors as the doctor reads them (both lines' `TokenError`s have this shape).
 *
 * @category models
 * @since 0.2.0
 */
export type TokenErrorLike =
  | { readonly _tag: "TokenEndpointError"; readonly error: string; readonly errorDescription: string }
  | { readonly _tag: "TokenEndpointUnreachable"; readonly reason: string; readonly detail: string }
  | { readonly _tag: "InvalidTokenRequest" | "InvalidTokenResponse"; readonly message: string }

/** NAV's organisation number, which Maskinporten scopes are granted to. */
const organisation = "889640782"

const invalidScopeHint =
  `Is the scope declared in the manifest (spec.maskinporten.scopes.consumes)? Has the API owner granted it to organisation ${organisation}? ` +
  "Was it changed less than 15 minutes ago? Changes take up to 15 minutes to propagate."

/**
 * A check with its verdict; failed unless `fields` says `ok: true`.
 *
 * @example
 * ```ts
 * import { Checkup } from "@effect-texas/doctor"
 *
 * const failed = Checkup.check("environment", "NAIS_TOKEN_ENDPOINT", "not set")
 * ```
 *
 * @category constructors
 * @since 0.2.0
 */
export const check = (kind: Check["kind"], scope: string, verdict: string, fields: Partial<Check> = {}): Check => ({
  kind,
  scope,
  ok: false,
  verdict,
  error: undefined,
  errorDescription: undefined,
  hint: undefined,
  ...fields
})

/**
 * A token handed out: an `ok` check saying how long it is valid.
 *
 * @example
 * ```ts
 * import { Checkup } from "@effect-texas/doctor"
 *
 * console.log(Checkup.granted({ kind: "maskinporten", scope: "a:b" }, 3599).verdict) // ok, valid for 59m 59s
 * ```
 *
 * @category verdicts
 * @since 0.2.0
 */
export const granted = (ask: Ask, secondsLeft: number): Check => check(ask.kind, ask.scope, `ok, valid for ${formatSeconds(secondsLeft)}`, { ok: true })

const formatSeconds = (seconds: number): string => {
  const whole = Math.max(0, Math.floor(seconds))
  const parts = [[Math.floor(whole / 86_400), "d"], [Math.floor(whole / 3600) % 24, "h"], [Math.floor(whole / 60) % 60, "m"], [whole % 60, "s"]] as const
  const shown = parts.filter(([value]) => value > 0).map(([value, unit]) => `${value}${unit}`)
  return shown.length === 0 ? "0s" : shown.join(" ")
}

/**
 * A token error as a verdict with its hint; never the token, which an error does not carry.
 *
 * @example
 * ```ts
 * import { Checkup } from "@effect-texas/doctor"
 *
 * const verdict = Checkup.refused({ kind: "maskinporten", scope: "a:b" }, {
 *   _tag: "TokenEndpointError",
 *   error: "invalid_scope",
 *   errorDescription: "not granted"
 * })
 * ```
 *
 * @category verdicts
 * @since 0.2.0
 */
export const refused = (ask: Ask, error: TokenErrorLike): Check => {
  const { kind, scope } = ask
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
const entraTarget = (rule: Manifest["outbound"][number], cluster: string, namespace: string) =>
  `api://${rule.cluster ?? cluster}.${rule.namespace ?? namespace}.${rule.application}/.default`

/** Checks the variable `name` is set and an http(s) URL. */
const environmentCheck = (env: Readonly<Record<string, string | undefined>>, name: string): Check => {
  const value = env[name]
  if (value === undefined || value === "") return check("environment", name, "not set", { hint: "Is the app running on NAIS with the token sidecar enabled?" })
  const url = URL.canParse(value) ? new URL(value) : undefined
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) return check("environment", name, "not an http(s) URL")
  return check("environment", name, "ok", { ok: true })
}

/**
 * What a manifest asks of the doctor: the checks decided without the sidecar
 * (the environment, scopes of a provider that is off), the token requests to
 * make, and the token endpoint to make them at (undefined when it is unusable).
 *
 * @category models
 * @since 0.2.0
 */
export interface Plan {
  readonly checks: ReadonlyArray<Check>
  readonly asks: ReadonlyArray<Ask>
  readonly endpoint: string | undefined
}

/**
 * The plan for `manifest` in the environment `env`.
 *
 * @example
 * ```ts
 * import { Checkup } from "@effect-texas/doctor"
 *
 * const plan = Checkup.plan(Checkup.fromScopes(["skatt:some.scope"]), { NAIS_TOKEN_ENDPOINT: "http://127.0.0.1:7164/api/v1/token" })
 * console.log(plan.asks) // [{ kind: "maskinporten", scope: "skatt:some.scope" }]
 * ```
 *
 * @category checks
 * @since 0.2.0
 */
export const plan = (manifest: Manifest, env: Readonly<Record<string, string | undefined>>): Plan => {
  const entraTargets = manifest.entraId
    ? manifest.outbound.map((rule) => entraTarget(rule, env["NAIS_CLUSTER_NAME"] ?? "dev-gcp", manifest.namespace ?? "default"))
    : []
  const endpointCheck = environmentCheck(env, "NAIS_TOKEN_ENDPOINT")
  const checks: Array<Check> = [endpointCheck]
  if (manifest.tokenX || manifest.entraId) {
    checks.push(environmentCheck(env, "NAIS_TOKEN_EXCHANGE_ENDPOINT"), environmentCheck(env, "NAIS_TOKEN_INTROSPECTION_ENDPOINT"))
  }
  const asks: Array<Ask> = entraTargets.map((scope) => ({ kind: "entra_id", scope }))
  if (manifest.maskinporten) asks.unshift(...manifest.scopes.map((scope) => ({ kind: "maskinporten", scope }) as const))
  else checks.push(...manifest.scopes.map((scope) => check("maskinporten", scope, "not declared", { hint: "spec.maskinporten.enabled is not true." })))
  return { checks, asks, endpoint: endpointCheck.ok ? env["NAIS_TOKEN_ENDPOINT"] : undefined }
}

/**
 * Plain Maskinporten scopes, as if a manifest declared them.
 *
 * @example
 * ```ts
 * import { Checkup } from "@effect-texas/doctor"
 *
 * const manifest = Checkup.fromScopes(["skatt:some.scope"])
 * ```
 *
 * @category checks
 * @since 0.2.0
 */
export const fromScopes = (scopes: ReadonlyArray<string>): Manifest => ({
  application: "the application",
  namespace: undefined,
  maskinporten: true,
  scopes,
  entraId: false,
  outbound: [],
  tokenX: false
})

/**
 * The report of `checks` for `application`.
 *
 * @example
 * ```ts
 * import { Checkup } from "@effect-texas/doctor"
 *
 * console.log(Checkup.report("app", []).ok) // true
 * ```
 *
 * @category checks
 * @since 0.2.0
 */
export const report = (application: string, checks: ReadonlyArray<Check>): Report => ({ application, ok: checks.every((c) => c.ok), checks })

/**
 * Text as a terminal may show it: control characters (escape sequences that
 * could move the cursor, erase a FAIL line or print a fake "ok", and line
 * breaks) from what a server or a manifest said become \uFFFD.
 */
// eslint-disable-next-line no-control-regex
const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "\uFFFD")

/**
 * The report as a table for a terminal; tokens never appear in it.
 *
 * @example
 * ```ts
 * import { Checkup } from "@effect-texas/doctor"
 *
 * console.log(Checkup.render({ application: "app", ok: true, checks: [] }))
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
  const summary = report.ok
    ? `${application}: all ${report.checks.length} checks passed`
    : `${application}: ${report.checks.filter((c) => !c.ok).length} of ${report.checks.length} checks failed`
  return [...lines, summary].join("\n")
}

/**
 * The report as JSON: one entry per check with `kind`, `scope`, `ok`,
 * `verdict`, `error`, `errorDescription` and `hint` (null when there is none).
 *
 * @example
 * ```ts
 * import { Checkup } from "@effect-texas/doctor"
 *
 * const text = Checkup.toJson({ application: "app", ok: true, checks: [] })
 * ```
 *
 * @category rendering
 * @since 0.2.0
 */
export const toJson = (report: Report): string => JSON.stringify(report, (_key, value: unknown) => (value === undefined ? null : value), 2)

/**
 * Why the command has nothing to check in `manifest`, or undefined when it has.
 *
 * @example
 * ```ts
 * import { Checkup } from "@effect-texas/doctor"
 *
 * console.log(Checkup.nothingToCheck(Checkup.fromScopes([]), "nais.yaml"))
 * ```
 *
 * @category checks
 * @since 0.2.0
 */
export const nothingToCheck = (manifest: Manifest, path: string): string | undefined =>
  !manifest.maskinporten || manifest.scopes.length === 0
    ? `${path} declares no Maskinporten scopes (spec.maskinporten.enabled and spec.maskinporten.scopes.consumes): nothing to check`
    : undefined
