/**
 * The nais manifest as far as tokens go, read without Effect: each line's
 * `@effect-texas/cli` wraps these in its own effects and `ManifestError`.
 *
 * @since 0.1.0
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync } from "node:fs"
import { join } from "node:path"
import * as Yaml from "yaml"
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

/** A YAML error as one sentence: the parser's first line, with where it was found. */
const yamlSentence = (message: string): string => `${message.split("\n")[0]!.trim().replace(/[:.]$/, "")}.`

/** Every string in `value` (a parsed YAML document), restored by `restore`. */
const restoreAll = (value: unknown, restore: (text: string) => string): unknown => {
  if (typeof value === "string") return restore(value)
  if (Array.isArray(value)) return value.map((item) => restoreAll(item, restore))
  const object = record(value)
  return object === undefined ? value : Object.fromEntries(Object.entries(object).map(([key, item]) => [restore(key), restoreAll(item, restore)]))
}

/** The YAML documents in `text`, or why they cannot be read. */
const documentsOf = (text: string, source: string): ReadonlyArray<unknown> | Problem => {
  // Silent: a warning of the YAML library is no business of the terminal; errors are still returned.
  const documents = Yaml.parseAllDocuments(text, { logLevel: "silent" })
  const documentList = Array.isArray(documents) ? documents : [documents]
  const failed = documentList.find((document) => document.errors.length > 0)
  if (failed !== undefined) return problem(`${source} is not valid YAML: ${yamlSentence(failed.errors[0]!.message)}`)
  const values: Array<unknown> = []
  for (const document of documentList) {
    const value = toValue(document, source)
    if (isProblem(value)) return value
    values.push(value)
  }
  return values
}

/**
 * A parsed document as plain values, or why not: the YAML library throws while converting an
 * alias to an anchor that was never set, or aliases that would expand past `maxAliasCount`.
 */
const toValue = (document: Yaml.Document, source: string): unknown => {
  try {
    return document.toJS({ maxAliasCount: 100 }) as unknown
  } catch (error) {
    return problem(`${source} is not usable YAML: ${yamlSentence(error instanceof Error ? error.message : String(error))}`)
  }
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
  const document = Yaml.parseDocument(text, { logLevel: "silent" })
  if (document.errors.length > 0) return problem(`the variables file ${path} is not valid YAML or JSON: ${yamlSentence(document.errors[0]!.message)}`)
  const value = toValue(document, `the variables file ${path}`)
  if (isProblem(value)) return value
  return record(value) ?? problem(`the variables file ${path} holds no mapping of names to values.`)
}

/**
 * The text of the file at `path`: opened without blocking (a named pipe would block an open),
 * refused unless the open file is a regular one, and read from that descriptor only until it
 * holds more than the cap. A size from `stat` is not trusted: procfs files say 0 and can hold gigabytes
 * (`/proc/self/pagemap`), and a file can grow between a look and a read.
 */
const readText = (path: string): string | Problem => {
  let descriptor: number | undefined
  try {
    descriptor = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
    if (!fstatSync(descriptor).isFile()) return problem(`cannot read ${path}: it is not a regular file.`)
    const bytes = readAtMost(descriptor, maxManifestBytes)
    if (bytes.length > maxManifestBytes) return problem(`cannot read ${path}: it is larger than 1 MiB.`)
    return new TextDecoder().decode(bytes)
  } catch (error) {
    return problem(`cannot read ${path}: ${readFailure((error as { readonly code?: unknown }).code)}.`)
  } finally {
    if (descriptor !== undefined) closeSync(descriptor)
  }
}

/**
 * The start of an open file, read in whole chunks until it ends or holds more than `limit` bytes
 * (some procfs files take reads of whole records only: `pagemap` refuses a read of an odd size).
 */
const readAtMost = (descriptor: number, limit: number): Uint8Array => {
  const chunk = 64 * 1024
  const buffer = new Uint8Array(limit + chunk)
  let filled = 0
  while (filled <= limit) {
    const read = readSync(descriptor, buffer, filled, chunk, null)
    if (read === 0) break
    filled += read
  }
  return buffer.subarray(0, filled)
}

/** Why a file could not be read, in words (the system's code in brackets). */
const readFailure = (code: unknown): string => {
  const words: Record<string, string> = { ENOENT: "there is no such file", EACCES: "permission denied", EISDIR: "it is a directory", EAGAIN: "it is not a regular file" }
  return typeof code === "string" ? `${words[code] ?? "it could not be read"} (${code})` : "it could not be read"
}

/** The largest manifest or variables file read (a nais manifest is a few KB). */
const maxManifestBytes = 1024 * 1024

/** Whether `path` names a regular file, looked at without opening it (for `find`'s candidates). */
const isRegularFile = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isFile() === true

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
