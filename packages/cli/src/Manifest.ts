/**
 * The nais manifest (an Application or a Naisjob), as far as tokens go: read, parsed and
 * found as effects that fail with `ManifestError` (the reading itself is
 * `@effect-texas/doctor`'s, shared with the Effect 4 line).
 *
 * @since 0.1.0
 */
import { Manifest as Shared } from "@effect-texas/doctor"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"

/**
 * What the doctor needs from a manifest.
 *
 * @category Models
 * @since 0.1.0
 */
export type Manifest = Shared.Manifest

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
 * @category Errors
 * @since 0.1.0
 */
export class ManifestError extends Data.TaggedError("ManifestError")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

const lift = <A>(read: () => A | Shared.Problem): Effect.Effect<A, ManifestError> =>
  Effect.suspend(() => {
    const result = read()
    return Shared.isProblem(result) ? Effect.fail(new ManifestError({ reason: result.reason })) : Effect.succeed(result)
  })

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
 * @category Constructors
 * @since 0.1.0
 */
export const parse = (text: string, source = "the manifest", options: Shared.ReadOptions = {}): Effect.Effect<Manifest, ManifestError> =>
  lift(() => Shared.parse(text, source, options))

/**
 * Reads the manifest at `path` (a regular file of at most 1 MiB), filling
 * template variables from `options.variables` as `nais/deploy` does.
 *
 * @example
 * ```ts
 * import { Manifest } from "@effect-texas/cli"
 *
 * const manifest = Manifest.read(".nais/app.yaml")
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const read = (path: string, options: Shared.ReadOptions = {}): Effect.Effect<Manifest, ManifestError> => lift(() => Shared.read(path, options))

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
 * @category Constructors
 * @since 0.1.0
 */
export const find = (directory: string): Effect.Effect<string, ManifestError> => lift(() => Shared.find(directory))
