/**
 * `effect-texas doctor`: is this application set up right for its tokens?
 *
 * @since 0.1.0
 *
 * @document ../README.md
 * @module @effect-texas/cli
 */

/**
 * Checks of the environment and the grants, as data, text and a startup layer.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Doctor from "./Doctor.js"

/**
 * The nais Application manifest, as far as tokens go.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Manifest from "./Manifest.js"
