/**
 * The nais manifest as far as tokens go, read without Effect: each line's
 * `@effect-texas/cli` wraps these in its own effects and `ManifestError`.
 *
 * @since 0.1.0
 */
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { isRegularFile, readText } from "./internal/files.js"
import { documentOf, documentsOf } from "./internal/yaml.js"
import * as Template from "./Template.js"

/**
 * Whether a provider is turned on: `true` only for a literal `true`;
 * `"templated"` when the flag is an unfilled template variable.
 *
 * @category Models
 * @since 0.1.0
 */
export type Flag = boolean | "templated"

/**
 * An access policy rule: an application, with its namespace and cluster when
 * it runs elsewhere (`*` for any application).
 *
 * @category Models
 * @since 0.1.0
 */
export interface Rule {
  readonly application: string
  readonly namespace?: string | undefined
  readonly cluster?: string | undefined
}

/**
 * What the doctor needs from a manifest. Values that hold an unfilled
 * template variable read as written (`{{namespace}}`, see `Template.isTemplated`).
 *
 * @category Models
 * @since 0.1.0
 */
export interface Manifest {
  /** `kind`: an `Application` (`nais.io/v1alpha1`) or a `Naisjob` (`nais.io/v1`). */
  readonly kind: "Application" | "Naisjob"
  /** `metadata.name`. */
  readonly application: string
  /** `metadata.namespace`. */
  readonly namespace: string | undefined
  /** `spec.maskinporten.enabled` */
  readonly maskinporten: Flag
  /** `spec.maskinporten.scopes.consumes[].name` */
  readonly scopes: ReadonlyArray<string>
  /** `spec.maskinporten.scopes.exposes` is not empty: the app validates Maskinporten tokens. */
  readonly exposesScopes: boolean
  /** `spec.azure.application.enabled` */
  readonly entraId: Flag
  /** `spec.azure.sidecar.enabled`: the app logs employees in with Entra ID. */
  readonly entraIdLogin: Flag
  /** `spec.idporten.enabled`: the app logs citizens in with ID-porten. */
  readonly idporten: Flag
  /** `spec.tokenx.enabled` */
  readonly tokenX: Flag
  /** `spec.accessPolicy.outbound.rules`: the applications it calls. */
  readonly outbound: ReadonlyArray<Rule>
  /** `spec.accessPolicy.inbound.rules`: the applications it lets in. */
  readonly inbound: ReadonlyArray<Rule>
  /** The template variables that were not filled, by name. */
  readonly unfilled: ReadonlyArray<string>
  /** What a reader should know about how the file was read (other workloads in it, ...). */
  readonly notes: ReadonlyArray<string>
}

/**
 * Why a manifest cannot be used, in one sentence.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Problem {
  readonly _tag: "Problem"
  readonly reason: string
}

const problem = (reason: string): Problem => ({ _tag: "Problem", reason })

/**
 * Whether `value` is a `Problem`.
 *
 * @example
 * ```ts
 * import { Manifest } from "@effect-texas/doctor"
 *
 * const read = Manifest.parse("kind: Service")
 * if (Manifest.isProblem(read)) console.log(read.reason)
 * ```
 *
 * @category Guards
 * @since 0.1.0
 */
export const isProblem = (value: unknown): value is Problem =>
  typeof value === "object" && value !== null && (value as { readonly _tag?: unknown })._tag === "Problem"

/**
 * Settings for reading a manifest.
 *
 * @category Options
 * @since 0.1.0
 */
export interface ReadOptions {
  /**
   * Template variables, as `nais/deploy`'s `VARS` file and `VAR` give them.
   * Without them a templated manifest is still read: its unfilled variables
   * are named in `unfilled` and left as `{{name}}`.
   */
  readonly variables?: Template.Variables | undefined
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined

const at = (value: unknown, ...path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>((current, key) => record(current)?.[key], value)

const text = (value: unknown): string | undefined => (typeof value === "string" && value.length > 0 ? value : undefined)

const flag = (value: unknown): Flag => (value === true ? true : Template.isTemplated(value) ? "templated" : false)

const rules = (spec: unknown, direction: "inbound" | "outbound"): ReadonlyArray<Rule> => {
  const listed = at(spec, "accessPolicy", direction, "rules")
  if (!Array.isArray(listed)) return []
  return listed.flatMap((rule) => {
    const application = text(at(rule, "application"))
    return application === undefined ? [] : [{ application, namespace: text(at(rule, "namespace")), cluster: text(at(rule, "cluster")) }]
  })
}

/** The workloads the doctor reads: the platform's `Application` and `Naisjob`, in any `nais.io` API version. */
const isWorkload = (document: unknown): boolean => {
  const apiVersion = at(document, "apiVersion")
  const kind = at(document, "kind")
  return (kind === "Application" || kind === "Naisjob") && (apiVersion === undefined || (typeof apiVersion === "string" && apiVersion.startsWith("nais.io/")))
}

/** Every string in `value` (a parsed YAML document), restored by `restore`. */
const restoreAll = (value: unknown, restore: (text: string) => string): unknown => {
  if (typeof value === "string") return restore(value)
  if (Array.isArray(value)) return value.map((item) => restoreAll(item, restore))
  const object = record(value)
  return object === undefined ? value : Object.fromEntries(Object.entries(object).map(([key, item]) => [restore(key), restoreAll(item, restore)]))
}

/** The manifest the doctor reads from a workload document. */
const fromWorkload = (workload: unknown, unfilled: ReadonlyArray<string>, notes: ReadonlyArray<string>): Manifest => {
  const spec = at(workload, "spec")
  const consumes = at(spec, "maskinporten", "scopes", "consumes")
  const exposes = at(spec, "maskinporten", "scopes", "exposes")
  return {
    kind: at(workload, "kind") === "Naisjob" ? "Naisjob" : "Application",
    application: text(at(workload, "metadata", "name")) ?? "",
    namespace: text(at(workload, "metadata", "namespace")),
    maskinporten: flag(at(spec, "maskinporten", "enabled")),
    scopes: Array.isArray(consumes) ? consumes.flatMap((entry) => text(at(entry, "name")) ?? []) : [],
    exposesScopes: Array.isArray(exposes) && exposes.length > 0,
    entraId: flag(at(spec, "azure", "application", "enabled")),
    entraIdLogin: flag(at(spec, "azure", "sidecar", "enabled")),
    idporten: flag(at(spec, "idporten", "enabled")),
    tokenX: flag(at(spec, "tokenx", "enabled")),
    outbound: rules(spec, "outbound"),
    inbound: rules(spec, "inbound"),
    unfilled,
    notes
  }
}

/**
 * Reads a manifest from YAML text (`source` names it in problems): the first
 * `Application` or `Naisjob` in it, templated or not.
 *
 * @example
 * ```ts
 * import { Manifest } from "@effect-texas/doctor"
 *
 * const manifest = Manifest.parse("apiVersion: nais.io/v1alpha1\nkind: Application\nmetadata: { name: app }\nspec: {}")
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const parse = (text: string, source = "the manifest", options: ReadOptions = {}): Manifest | Problem => {
  const filled = Template.fill(text, options.variables)
  if ("reason" in filled) return problem(`${source} is not a template nais/deploy can render: ${filled.reason}`)
  const documents = documentsOf(filled.text, source)
  if (isProblem(documents)) return documents
  const workloads = documents.filter(isWorkload).map((document) => restoreAll(document, filled.restore))
  const workload = workloads[0]
  if (workload === undefined) return problem(`${source} holds no nais Application or Naisjob (apiVersion nais.io/v1alpha1 or nais.io/v1).`)
  const name = at(workload, "metadata", "name")
  if (typeof name !== "string" || name.length === 0) return problem(`${source}: the ${String(at(workload, "kind"))} has no metadata.name.`)
  const others = workloads.slice(1).map((other) => `${String(at(other, "kind"))} ${String(at(other, "metadata", "name"))}`)
  const notes = others.length === 0 ? [] : [`${source} holds more than one workload: checking ${name}, not ${others.join(", ")}.`]
  return fromWorkload(workload, filled.unfilled, notes)
}

/**
 * Reads the manifest at `path`: a regular file of at most 1 MiB (a pipe, a
 * device or a procfs file that holds more is refused, without reading past the cap).
 *
 * @example
 * ```ts
 * import { Manifest } from "@effect-texas/doctor"
 *
 * const manifest = Manifest.read(".nais/app.yaml")
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const read = (path: string, options: ReadOptions = {}): Manifest | Problem => {
  const text = readText(path)
  return isProblem(text) ? text : parse(text, path, options)
}

/**
 * Reads template variables from a YAML or JSON file, as `nais/deploy`'s
 * `VARS`: a mapping of names to values.
 *
 * @example
 * ```ts
 * import { Manifest } from "@effect-texas/doctor"
 *
 * const variables = Manifest.readVariables(".nais/dev.yaml")
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const readVariables = (path: string): Template.Variables | Problem => {
  const text = readText(path)
  if (isProblem(text)) return text
  const value = documentOf(text, `the variables file ${path}`, "YAML or JSON")
  if (isProblem(value)) return value
  return record(value) ?? problem(`the variables file ${path} holds no mapping of names to values.`)
}

/**
 * The manifest a project has: the first of `.nais/*.yaml`, `.nais/*.yml`, `nais.yaml` under `directory`.
 *
 * @example
 * ```ts
 * import { Manifest } from "@effect-texas/doctor"
 *
 * const path = Manifest.find(process.cwd())
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const find = (directory: string): string | Problem => {
  let nais: ReadonlyArray<string> = []
  try {
    nais = readdirSync(join(directory, ".nais")).sort()
  } catch {
    // No .nais folder: try nais.yaml.
  }
  const candidates = [
    ...nais.filter((file) => file.endsWith(".yaml")).map((file) => join(directory, ".nais", file)),
    ...nais.filter((file) => file.endsWith(".yml")).map((file) => join(directory, ".nais", file)),
    join(directory, "nais.yaml")
  ]
  // Looked at, never opened: a named pipe among the candidates would block an open.
  const found = candidates.find(isRegularFile)
  return found ?? problem(`no manifest found: looked for .nais/*.yaml, .nais/*.yml and nais.yaml in ${directory}; name one with --manifest.`)
}
