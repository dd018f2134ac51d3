/**
 * The nais manifest as far as tokens go, read without Effect: each line's
 * `@effect-texas/cli` wraps these in its own effects and `ManifestError`.
 *
 * @since 0.2.0
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import * as Yaml from "yaml"

/**
 * What the doctor needs from a manifest.
 *
 * @category models
 * @since 0.2.0
 */
export interface Manifest {
  /** `metadata.name`. */
  readonly application: string
  /** `metadata.namespace`. */
  readonly namespace: string | undefined
  /** `spec.maskinporten.enabled` */
  readonly maskinporten: boolean
  /** `spec.maskinporten.scopes.consumes[].name` */
  readonly scopes: ReadonlyArray<string>
  /** `spec.azure.application.enabled` */
  readonly entraId: boolean
  /** `spec.accessPolicy.outbound.rules`: the applications called, with cluster and namespace when given. */
  readonly outbound: ReadonlyArray<{ readonly application: string; readonly namespace?: string | undefined; readonly cluster?: string | undefined }>
  /** `spec.tokenx.enabled` */
  readonly tokenX: boolean
}

/**
 * Why a manifest cannot be used, in one sentence.
 *
 * @category models
 * @since 0.2.0
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
 * @category guards
 * @since 0.2.0
 */
export const isProblem = (value: unknown): value is Problem =>
  typeof value === "object" && value !== null && (value as { readonly _tag?: unknown })._tag === "Problem"

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined

const at = (value: unknown, ...path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>((current, key) => record(current)?.[key], value)

const outboundRules = (spec: unknown): Manifest["outbound"] => {
  const rules = at(spec, "accessPolicy", "outbound", "rules")
  if (!Array.isArray(rules)) return []
  return rules.flatMap((rule) => {
    const application = at(rule, "application")
    if (typeof application !== "string" || application.length === 0) return []
    const namespace = at(rule, "namespace")
    const cluster = at(rule, "cluster")
    return [{
      application,
      namespace: typeof namespace === "string" ? namespace : undefined,
      cluster: typeof cluster === "string" ? cluster : undefined
    }]
  })
}

/**
 * Reads a manifest from YAML text (`source` names it in problems).
 *
 * @example
 * ```ts
 * import { Manifest } from "@effect-texas/doctor"
 *
 * const manifest = Manifest.parse("apiVersion: nais.io/v1alpha1\nkind: Application\nmetadata: { name: app }\nspec: {}")
 * ```
 *
 * @category constructors
 * @since 0.2.0
 */
export const parse = (text: string, source = "the manifest"): Manifest | Problem => {
  let documents: ReadonlyArray<unknown>
  try {
    documents = Yaml.parseAllDocuments(text).map((document) => {
      if (document.errors.length > 0) throw new Error(document.errors[0]!.message.split("\n")[0])
      return document.toJS()
    })
  } catch (error) {
    return problem(`${source} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`)
  }
  const application = documents.find((document) => at(document, "kind") === "Application")
  if (application === undefined) return problem(`${source} holds no nais Application (kind: Application)`)
  const name = at(application, "metadata", "name")
  if (typeof name !== "string") return problem(`${source}: the Application has no metadata.name`)
  const namespace = at(application, "metadata", "namespace")
  const spec = at(application, "spec")
  const consumes = at(spec, "maskinporten", "scopes", "consumes")
  return {
    application: name,
    namespace: typeof namespace === "string" ? namespace : undefined,
    maskinporten: at(spec, "maskinporten", "enabled") === true,
    scopes: Array.isArray(consumes) ? consumes.flatMap((entry) => (typeof at(entry, "name") === "string" ? [at(entry, "name") as string] : [])) : [],
    entraId: at(spec, "azure", "application", "enabled") === true,
    outbound: outboundRules(spec),
    tokenX: at(spec, "tokenx", "enabled") === true
  }
}

/**
 * Reads the manifest at `path`: a regular file of at most 1 MiB, looked at
 * before it is opened (a named pipe would block the read).
 *
 * @example
 * ```ts
 * import { Manifest } from "@effect-texas/doctor"
 *
 * const manifest = Manifest.read(".nais/app.yaml")
 * ```
 *
 * @category constructors
 * @since 0.2.0
 */
export const read = (path: string): Manifest | Problem => {
  let text: string
  try {
    const kind = fileKind(path)
    if (kind !== "file" && kind !== "missing") return problem(`cannot read ${path} (${kind})`)
    text = readFileSync(path, "utf8")
  } catch (error) {
    const code = (error as { readonly code?: unknown }).code
    return problem(`cannot read ${path} (${typeof code === "string" ? code : "unreadable"})`)
  }
  return parse(text, path)
}

/** The largest manifest read (a nais manifest is a few KB). */
const maxManifestBytes = 1024 * 1024

/** What is at `path`, without opening it: a regular file of bounded size, or why not. */
const fileKind = (path: string): "file" | "missing" | "not a regular file" | "larger than 1 MiB" => {
  const stats = statSync(path, { throwIfNoEntry: false })
  if (stats === undefined) return "missing"
  if (!stats.isFile()) return "not a regular file"
  return stats.size > maxManifestBytes ? "larger than 1 MiB" : "file"
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
 * @category constructors
 * @since 0.2.0
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
  const found = candidates.find((candidate) => fileKind(candidate) === "file")
  return found ?? problem(`no manifest found: looked for .nais/*.yaml, .nais/*.yml and nais.yaml in ${directory}`)
}
