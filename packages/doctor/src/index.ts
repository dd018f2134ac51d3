/**
 * What `effect-texas doctor` knows without Effect, shared by both lines of
 * `@effect-texas/cli`: the manifest, the checks it implies, the verdicts and
 * their hints, and the report as text and JSON.
 *
 * @since 0.2.0
 */

/**
 * The checks, verdicts and report.
 *
 * @since 0.2.0
 */
export * as Checkup from "./Checkup.js"

/**
 * The nais manifest as far as tokens go.
 *
 * @since 0.2.0
 */
export * as Manifest from "./Manifest.js"
