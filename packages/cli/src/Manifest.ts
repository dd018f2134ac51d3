/**
 * The nais `Application` manifest, as far as token set-up goes: which
 * Maskinporten scopes it consumes, which Entra ID applications it calls, and
 * whether TokenX is on. Read with the `yaml` package; every way a manifest can
 * be unusable is one `ManifestError` with one sentence.
 *
 * @since 0.2.0
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
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
 * A manifest that cannot be used, with one sentence that says why.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Manifest } from "@effect-texas/cli"
 *
 * const program = Manifest.read("nais.yaml").pipe(
 *   Effect.catchTag("ManifestError", (error) => Effect.logError(error.message))
 * )
 * ```
 *
 * @category errors
 * @since 0.2.0
 */
export class ManifestError extends Data.TaggedError("ManifestError")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

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
 * Reads a manifest from YAML text (`source` names it in errors).
 *
 * @example
 * ```ts
 * import { Manifest } from "@effect-texas/cli"
 *
 * const manifest = Manifest.parse("apiVersion: nais.io/v1alpha1\nkind: Application\nmetadata: { name: app }\nspec: {}")
 * ```
 *
 * @category constructors
 * @since 0.2.0
 */
export const parse = (text: string, source = "the manifest"): Effect.Effect<Manifest, ManifestError> =>
  Effect.suspend(() => {
    const fail = (reason: string) => Effect.fail(new ManifestError({ reason }))
    let documents: ReadonlyArray<unknown>
    try {
      documents = Yaml.parseAllDocuments(text).map((document) => {
        if (document.errors.length > 0) throw new Error(document.errors[0]!.message.split("\n")[0])
        return document.toJS()
      })
    } catch (error) {
      return fail(`${source} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`)
    }
    const application = documents.find((document) => at(document, "kind") === "Application")
    if (application === undefined) return fail(`${source} holds no nais Application (kind: Application)`)
    const name = at(application, "metadata", "name")
    if (typeof name !== "string") return fail(`${source}: the Application has no metadata.name`)
    const namespace = at(application, "metadata", "namespace")
    const spec = at(application, "spec")
    const consumes = at(spec, "maskinporten", "scopes", "consumes")
    return Effect.succeed({
      application: name,
      namespace: typeof namespace === "string" ? namespace : undefined,
      maskinporten: at(spec, "maskinporten", "enabled") === true,
      scopes: Array.isArray(consumes) ? consumes.flatMap((entry) => (typeof at(entry, "name") === "string" ? [at(entry, "name") as string] : [])) : [],
      entraId: at(spec, "azure", "application", "enabled") === true,
      outbound: outboundRules(spec),
      tokenX: at(spec, "tokenx", "enabled") === true
    })
  })

/**
 * Reads the manifest at `path`.
 *
 * @example
 * ```ts
 * import { Manifest } from "@effect-texas/cli"
 *
 * const manifest = Manifest.read(".nais/app.yaml")
 * ```
 *
 * @category constructors
 * @since 0.2.0
 */
export const read = (path: string): Effect.Effect<Manifest, ManifestError> =>
  Effect.suspend(() => {
    let text: string
    try {
      // Looked at before it is opened: a named pipe or a device would block the read, a huge file fill memory.
      const kind = fileKind(path)
      if (kind !== "file" && kind !== "missing") return Effect.fail(new ManifestError({ reason: `cannot read ${path} (${kind})` }))
      text = readFileSync(path, "utf8")
    } catch (error) {
      const code = (error as { readonly code?: unknown }).code
      return Effect.fail(new ManifestError({ reason: `cannot read ${path} (${typeof code === "string" ? code : "unreadable"})` }))
    }
    return parse(text, path)
  })

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
 * import { Manifest } from "@effect-texas/cli"
 *
 * const path = Manifest.find(process.cwd())
 * ```
 *
 * @category constructors
 * @since 0.2.0
 */
export const find = (directory: string): Effect.Effect<string, ManifestError> =>
  Effect.suspend(() => {
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
    return found === undefined
      ? Effect.fail(new ManifestError({ reason: `no manifest found: looked for .nais/*.yaml, .nais/*.yml and nais.yaml in ${directory}` }))
      : Effect.succeed(found)
  })
