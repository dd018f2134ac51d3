/**
 * What `effect-texas doctor` knows without Effect, shared by both lines of
 * `@effect-texas/cli`: the manifest (templated or not), the plan of checks it
 * implies, the verdicts and their hints, the report as text and JSON, and
 * the command itself.
 *
 * @since 0.1.0
 *
 * @document ../README.md
 * @module @effect-texas/doctor
 */

/**
 * The checks and their verdicts.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Checkup from "./Checkup.js"

/**
 * The `effect-texas doctor` command: arguments, help, output, exit codes.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"

/**
 * The nais manifest as far as tokens go.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Manifest from "./Manifest.js"

/**
 * The report as a table and as JSON.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Output from "./Output.js"

/**
 * What a manifest asks of the doctor, and the report.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Plan from "./Plan.js"

/**
 * Templated manifests, rendered as nais/deploy does.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Template from "./Template.js"
