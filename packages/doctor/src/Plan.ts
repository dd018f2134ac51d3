/**
 * What a manifest asks of the doctor, decided before the sidecar is asked
 * anything: the variables it needs, a token request per Maskinporten scope
 * and Entra ID target, an introspection per provider that validates tokens,
 * and what cannot be checked (templated, cluster unknown) and why.
 *
 * @since 0.1.0
 */
import * as Checkup from "./Checkup.js"
import type { Flag, Manifest, Rule } from "./Manifest.js"
import * as Template from "./Template.js"

// ---- Models ------------------------------------------------------------------

/**
 * One step of a plan: a check decided without the sidecar, a token request,
 * or an introspection.
 *
 * @category Models
 * @since 0.1.0
 */
export type Step =
  | { readonly _tag: "Decided"; readonly check: Checkup.Check }
  | { readonly _tag: "Ask"; readonly ask: Checkup.Ask }
  | { readonly _tag: "Probe"; readonly probe: Checkup.Probe }

/**
 * The plan for one manifest: its steps in the order they are reported, the
 * endpoints to ask (undefined when no step needs one, or it is unusable),
 * and the warnings to show beside the report.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Plan {
  readonly application: string
  readonly kind: Manifest["kind"]
  readonly cluster: string | undefined
  readonly steps: ReadonlyArray<Step>
  readonly tokenEndpoint: string | undefined
  readonly introspectionEndpoint: string | undefined
  readonly warnings: ReadonlyArray<string>
}

/**
 * What the doctor found.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Report {
  readonly application: string
  readonly kind: Manifest["kind"]
  /** The cluster the application runs in, when known (`--cluster` or `NAIS_CLUSTER_NAME`). */
  readonly cluster: string | undefined
  /** No check failed (checks that could not be made are named in `warnings`). */
  readonly ok: boolean
  readonly checks: ReadonlyArray<Checkup.Check>
  readonly warnings: ReadonlyArray<string>
}

/**
 * Where the doctor runs.
 *
 * @category Options
 * @since 0.1.0
 */
export interface PlanOptions {
  /** The environment: the sidecar's endpoints and `NAIS_CLUSTER_NAME`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /** The cluster the application runs in; before `NAIS_CLUSTER_NAME`. */
  readonly cluster?: string | undefined
}

// ---- Steps -------------------------------------------------------------------

const decided = (check: Checkup.Check): Step => ({ _tag: "Decided", check })

const fillHint = (value: string) => `${value} is a template variable: fill it with --var name=value or --vars <file>, as nais/deploy does.`

/** A token request per consumed scope, when Maskinporten is on. */
const maskinportenSteps = (manifest: Manifest): ReadonlyArray<Step> =>
  manifest.scopes.map((scope): Step => {
    if (manifest.maskinporten === "templated") return decided(Checkup.notChecked("maskinporten", scope, "templated", fillHint("spec.maskinporten.enabled")))
    if (!manifest.maskinporten) {
      return decided(Checkup.check("maskinporten", scope, "maskinporten not enabled", { hint: "The manifest consumes the scope but spec.maskinporten.enabled is not true: set it and deploy." }))
    }
    if (Template.isTemplated(scope)) return decided(Checkup.notChecked("maskinporten", scope, "templated", fillHint(scope)))
    return { _tag: "Ask", ask: { kind: "maskinporten", scope } }
  })

/** `api://<cluster>.<namespace>.<application>/.default`, with `<cluster>` or `<namespace>` for what is not known. */
const entraTarget = (target: Checkup.Workload) =>
  `api://${target.cluster ?? "<cluster>"}.${target.namespace ?? "<namespace>"}.${target.application}/.default`

/** A token request per application called (an outbound rule), when Entra ID is on. */
const entraSteps = (manifest: Manifest, caller: Checkup.Workload): ReadonlyArray<Step> => {
  if (manifest.entraId === false) return []
  return manifest.outbound.filter((rule) => rule.application !== "*").map((rule: Rule): Step => {
    const target = { application: rule.application, namespace: rule.namespace ?? caller.namespace, cluster: rule.cluster ?? caller.cluster }
    const scope = entraTarget(target)
    if (manifest.entraId === "templated") return decided(Checkup.notChecked("entra_id", scope, "templated", fillHint("spec.azure.application.enabled")))
    const templated = [target.application, target.namespace, target.cluster].find(Template.isTemplated)
    if (templated !== undefined) return decided(Checkup.notChecked("entra_id", scope, "templated", fillHint(templated)))
    if (target.namespace === undefined) {
      return decided(Checkup.notChecked("entra_id", scope, "namespace unknown", "Neither the outbound rule nor metadata.namespace names the namespace."))
    }
    if (target.cluster === undefined) {
      return decided(Checkup.notChecked("entra_id", scope, "cluster unknown", "Set NAIS_CLUSTER_NAME or pass --cluster <name> (the rule names no cluster)."))
    }
    return { _tag: "Ask", ask: { kind: "entra_id", scope, caller, target } }
  })
}

/**
 * Whether the application validates Entra ID tokens: it logs employees in
 * (`azure.sidecar`), or it is an Entra ID application that lets others in.
 */
const validatesEntraId = (manifest: Manifest): Flag => {
  if (manifest.entraIdLogin !== false) return manifest.entraIdLogin
  return manifest.inbound.length > 0 ? manifest.entraId : false
}

/** An introspection per provider whose tokens the application validates, as its manifest says. */
const probeSteps = (manifest: Manifest): ReadonlyArray<Step> => {
  const validates: ReadonlyArray<readonly [Checkup.Probe["provider"], Flag, string]> = [
    ["maskinporten", manifest.exposesScopes ? manifest.maskinporten : false, "spec.maskinporten.enabled"],
    ["entra_id", validatesEntraId(manifest), "spec.azure"],
    ["tokenx", manifest.tokenX, "spec.tokenx.enabled"],
    ["idporten", manifest.idporten, "spec.idporten.enabled"]
  ]
  return validates.flatMap(([provider, on, field]): ReadonlyArray<Step> => {
    if (on === "templated") return [decided(Checkup.notChecked("introspection", provider, "templated", fillHint(field)))]
    return on ? [{ _tag: "Probe", probe: { provider } }] : []
  })
}

// ---- Environment -------------------------------------------------------------

/** Checks the variable `name` is set and an http(s) URL. */
const environmentCheck = (env: Readonly<Record<string, string | undefined>>, name: string): Checkup.Check => {
  const value = env[name]
  if (value === undefined || value === "") {
    return Checkup.check("environment", name, "not set", { hint: "The platform sets it in the pod when the manifest turns a provider on: is this running on NAIS?" })
  }
  const url = URL.canParse(value) ? new URL(value) : undefined
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) return Checkup.check("environment", name, "not an http(s) URL")
  return Checkup.check("environment", name, "ok", { status: "ok" })
}

/** The steps that need `variable`, each not checked when it is unusable. */
const needing = (steps: ReadonlyArray<Step>, variable: Checkup.Check): ReadonlyArray<Step> =>
  variable.ok ? steps : steps.map((step) => {
    if (step._tag === "Ask") return decided(Checkup.notChecked(step.ask.kind, step.ask.scope, `${variable.scope} ${variable.verdict}`, `Fix ${variable.scope} first.`))
    if (step._tag === "Probe") return decided(Checkup.notChecked("introspection", step.probe.provider, `${variable.scope} ${variable.verdict}`, `Fix ${variable.scope} first.`))
    return step
  })

// ---- Plan --------------------------------------------------------------------

/**
 * The plan for `manifest` where the doctor runs.
 *
 * @example
 * ```ts
 * import { Plan } from "@effect-texas/doctor"
 *
 * const plan = Plan.plan(Plan.fromScopes(["skatt:some.scope"]), { env: { NAIS_TOKEN_ENDPOINT: "http://127.0.0.1:7164/api/v1/token" } })
 * console.log(plan.steps.length) // 2: the variable, then the scope
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const plan = (manifest: Manifest, options: PlanOptions = {}): Plan => {
  const env = options.env ?? {}
  const cluster = options.cluster ?? (env["NAIS_CLUSTER_NAME"] || undefined)
  const caller = { application: manifest.application, namespace: manifest.namespace, cluster }
  const machine = [...maskinportenSteps(manifest), ...entraSteps(manifest, caller)]
  const probes = probeSteps(manifest)
  const tokenVariable = machine.some((step) => step._tag === "Ask") ? environmentCheck(env, "NAIS_TOKEN_ENDPOINT") : undefined
  const exchangeVariable = manifest.tokenX === true ? environmentCheck(env, "NAIS_TOKEN_EXCHANGE_ENDPOINT") : undefined
  const introspectionVariable = probes.some((step) => step._tag === "Probe") ? environmentCheck(env, "NAIS_TOKEN_INTROSPECTION_ENDPOINT") : undefined
  const variables = [tokenVariable, exchangeVariable, introspectionVariable].flatMap((variable) => (variable === undefined ? [] : [decided(variable)]))
  const steps = [
    ...variables,
    ...(tokenVariable === undefined ? machine : needing(machine, tokenVariable)),
    ...(introspectionVariable === undefined ? probes : needing(probes, introspectionVariable))
  ]
  return {
    application: manifest.application,
    kind: manifest.kind,
    cluster,
    steps,
    tokenEndpoint: tokenVariable?.ok === true ? env["NAIS_TOKEN_ENDPOINT"] : undefined,
    introspectionEndpoint: introspectionVariable?.ok === true ? env["NAIS_TOKEN_INTROSPECTION_ENDPOINT"] : undefined,
    warnings: warnings(manifest, steps)
  }
}

/** What the reader should know beside the checks: unfilled variables, an unknown cluster, nothing to check. */
const warnings = (manifest: Manifest, steps: ReadonlyArray<Step>): ReadonlyArray<string> => {
  const skipped = steps.flatMap((step) => (step._tag === "Decided" && step.check.status === "not checked" ? [step.check] : []))
  const needed = manifest.unfilled.filter((name) => skipped.some((check) => `${check.scope} ${check.hint ?? ""}`.includes(`{{${name}}}`)))
  return [
    ...manifest.notes,
    ...(manifest.unfilled.length === 0 ? [] : [
      needed.length === 0
        ? `template variables not filled: ${manifest.unfilled.join(", ")} (no check depends on them).`
        : `template variables not filled: ${manifest.unfilled.join(", ")}. The checks that depend on ${needed.join(", ")} are not checked: fill them with --var name=value or --vars <file>, as nais/deploy does.`
    ]),
    ...(skipped.some((check) => check.scope.includes("<cluster>")) ? [
      "the cluster is not known (NAIS_CLUSTER_NAME is not set and --cluster was not given): Entra ID targets in the application's own cluster are not checked."
    ] : []),
    ...(steps.length === 0 ? [
      `nothing to check: ${manifest.application} (${manifest.kind}) consumes no Maskinporten scope, calls no application with Entra ID (spec.azure.application with spec.accessPolicy.outbound.rules), and validates no tokens (TokenX, ID-porten, Entra ID login, exposed Maskinporten scopes).`
    ] : [])
  ]
}

/**
 * The report of a plan, once its token requests and introspections have a verdict.
 *
 * @example
 * ```ts
 * import { Plan } from "@effect-texas/doctor"
 *
 * const planned = Plan.plan(Plan.fromScopes([]))
 * console.log(Plan.report(planned, []).ok) // true
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const report = (plan: Plan, checks: ReadonlyArray<Checkup.Check>): Report => ({
  application: plan.application,
  kind: plan.kind,
  cluster: plan.cluster,
  ok: checks.every((check) => check.status !== "failed"),
  checks,
  warnings: plan.warnings
})

/**
 * Plain Maskinporten scopes, as if a manifest declared them.
 *
 * @example
 * ```ts
 * import { Plan } from "@effect-texas/doctor"
 *
 * const manifest = Plan.fromScopes(["skatt:some.scope"])
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const fromScopes = (scopes: ReadonlyArray<string>): Manifest => ({
  kind: "Application",
  application: "the application",
  namespace: undefined,
  maskinporten: true,
  scopes,
  exposesScopes: false,
  entraId: false,
  entraIdLogin: false,
  idporten: false,
  tokenX: false,
  outbound: [],
  inbound: [],
  unfilled: [],
  notes: []
})
