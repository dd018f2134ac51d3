/**
 * What the doctor checks and what it concludes, without Effect: a check and
 * its verdict, the token requests and introspections it makes, and what a
 * sidecar's answer means for each, with the hint the platform's docs give.
 * Each line's `Doctor` only asks the sidecar.
 *
 * @since 0.1.0
 */
import { entraHint, entraRefusal, maskinportenHint, notEnabledHint } from "./internal/hints.js"

// ---- Models ------------------------------------------------------------------

/**
 * Whether a check passed, failed, or could not be made (a templated value,
 * an unknown cluster, an endpoint that is not set): only `failed` fails the report.
 *
 * @category Models
 * @since 0.1.0
 */
export type Status = "ok" | "failed" | "not checked"

/**
 * One check and its verdict.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Check {
  /** What was checked: a variable, a machine token, or a provider's introspection. */
  readonly kind: "environment" | "maskinporten" | "entra_id" | "introspection"
  /** The variable, the scope, the Entra ID target, or the provider introspected. */
  readonly scope: string
  readonly status: Status
  /** `status === "ok"`. */
  readonly ok: boolean
  /** `ok, valid for 59m 59s`, `invalid_scope`, `not assigned`, `provider not enabled`, `unreachable`, `not checked: templated`, ... */
  readonly verdict: string
  /** The OAuth error code, when the sidecar gave one. */
  readonly error: string | undefined
  readonly errorDescription: string | undefined
  /** What to do about it, in the platform docs' words. */
  readonly hint: string | undefined
}

/**
 * An application as the platform names it: name, namespace, cluster (each
 * undefined when not known).
 *
 * @category Models
 * @since 0.1.0
 */
export interface Workload {
  readonly application: string
  readonly namespace: string | undefined
  readonly cluster: string | undefined
}

/**
 * A token request the doctor makes: the kind of token and its scope or
 * target; for Entra ID also who asks and whom for, to say whose rules to change.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Ask {
  readonly kind: "maskinporten" | "entra_id"
  readonly scope: string
  readonly caller?: Workload | undefined
  readonly target?: Workload | undefined
}

/**
 * An introspection the doctor makes to see that a provider answers: of
 * `probeToken`, which no provider signed, so a live sidecar says inactive.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Probe {
  readonly provider: "maskinporten" | "entra_id" | "tokenx" | "idporten"
}

/**
 * The SDK's token errors as the doctor reads them (both lines' `TokenError`s have this shape).
 *
 * @category Models
 * @since 0.1.0
 */
export type TokenErrorLike =
  | { readonly _tag: "TokenEndpointError"; readonly error: string; readonly errorDescription: string }
  | { readonly _tag: "TokenEndpointUnreachable"; readonly reason: string; readonly detail: string }
  | { readonly _tag: "InvalidTokenRequest" | "InvalidTokenResponse"; readonly message: string }

/**
 * What an introspection said, as both lines' `IntrospectionResult` says it.
 *
 * @category Models
 * @since 0.1.0
 */
export type IntrospectionLike = { readonly _tag: "Active" } | { readonly _tag: "Inactive"; readonly reason: string }

// ---- Checks ------------------------------------------------------------------

/**
 * A check with its verdict; failed unless `fields` says otherwise.
 *
 * @example
 * ```ts
 * import { Checkup } from "@effect-texas/doctor"
 *
 * const failed = Checkup.check("environment", "NAIS_TOKEN_ENDPOINT", "not set")
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const check = (kind: Check["kind"], scope: string, verdict: string, fields: Partial<Omit<Check, "ok">> = {}): Check => {
  const status = fields.status ?? "failed"
  const { error, errorDescription, hint } = fields
  return { kind, scope, status, ok: status === "ok", verdict: fields.verdict ?? verdict, error, errorDescription, hint }
}

/**
 * A check that could not be made, and why (`templated`, `cluster unknown`, ...).
 *
 * @example
 * ```ts
 * import { Checkup } from "@effect-texas/doctor"
 *
 * const skipped = Checkup.notChecked("maskinporten", "{{scope}}", "templated", "Fill {{scope}} with --var scope=...")
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const notChecked = (kind: Check["kind"], scope: string, why: string, hint: string): Check =>
  check(kind, scope, `not checked: ${why}`, { status: "not checked", hint })

// ---- Verdicts on tokens --------------------------------------------------------

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
 * @category Verdicts
 * @since 0.1.0
 */
export const granted = (ask: Ask, secondsLeft: number): Check => check(ask.kind, ask.scope, `ok, valid for ${formatSeconds(secondsLeft)}`, { status: "ok" })

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
 * @category Verdicts
 * @since 0.1.0
 */
export const refused = (ask: Ask, error: TokenErrorLike): Check => {
  const { kind, scope } = ask
  switch (error._tag) {
    case "TokenEndpointError": {
      const base = { error: error.error, errorDescription: error.errorDescription }
      if (/is not enabled/.test(error.errorDescription)) return check(kind, scope, "provider not enabled", { ...base, hint: notEnabledHint(kind) })
      if (kind === "maskinporten") return check(kind, scope, error.error, { ...base, hint: error.error === "invalid_scope" ? maskinportenHint : undefined })
      const refusal = entraRefusal(error.error, error.errorDescription)
      return check(kind, scope, refusal ?? error.error, { ...base, hint: entraHint(ask, refusal) })
    }
    default:
      return callFailed(kind, scope, error)
  }
}

/** A call that got no answer from the provider: the sidecar is not there, or said something that is no answer. */
const callFailed = (kind: Check["kind"], scope: string, error: Exclude<TokenErrorLike, { readonly _tag: "TokenEndpointError" }>): Check =>
  error._tag === "TokenEndpointUnreachable"
    ? check(kind, scope, "unreachable", { error: error.reason, errorDescription: error.detail, hint: "Is the token sidecar running beside the app?" })
    : check(kind, scope, error._tag, { errorDescription: error.message })

// ---- Verdicts on introspection ---------------------------------------------------

/**
 * A token shaped like a JWT that no identity provider signed and that names
 * no key: a live sidecar answers it `active: false` ("missing key id from
 * token header", nais/texas `src/oauth/token.rs`) without fetching keys.
 *
 * @example
 * ```ts
 * import { Checkup } from "@effect-texas/doctor"
 *
 * console.log(Checkup.probeToken.split(".").length) // 3
 * ```
 *
 * @category Verdicts
 * @since 0.1.0
 */
export const probeToken: string = [{ alg: "RS256", typ: "JWT" }, { sub: "effect-texas-doctor" }]
  .map((part) => Buffer.from(JSON.stringify(part)).toString("base64url"))
  .concat("bm90LXNpZ25lZA")
  .join(".")

/**
 * What an introspection of `probeToken` says about the provider: inactive
 * is the answer of a live sidecar with the provider enabled.
 *
 * @example
 * ```ts
 * import { Checkup } from "@effect-texas/doctor"
 *
 * console.log(Checkup.probed({ provider: "tokenx" }, { _tag: "Inactive", reason: "missing key id from token header" }).ok) // true
 * ```
 *
 * @category Verdicts
 * @since 0.1.0
 */
export const probed = (probe: Probe, result: IntrospectionLike | TokenErrorLike): Check => {
  const { provider } = probe
  switch (result._tag) {
    case "Inactive":
      return /is not enabled/.test(result.reason)
        ? check("introspection", provider, "provider not enabled", { errorDescription: result.reason, hint: notEnabledHint(provider) })
        : check("introspection", provider, "ok, answers (a token no provider signed is inactive)", { status: "ok" })
    case "Active":
      return check("introspection", provider, "active for a token no provider signed", {
        hint: "NAIS_TOKEN_INTROSPECTION_ENDPOINT does not look like the token sidecar: is it the platform's value?"
      })
    default:
      return result._tag === "TokenEndpointError"
        ? check("introspection", provider, result.error, { error: result.error, errorDescription: result.errorDescription })
        : callFailed("introspection", provider, result)
  }
}
