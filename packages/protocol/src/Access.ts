/**
 * Who may call an API, beyond "the sidecar says the token is active": the
 * requirements per identity provider (scopes and consumer organisations for
 * Maskinporten, a level of assurance for ID-porten and TokenX, groups, roles
 * and calling applications for Entra ID), checked against the token's claims.
 * Both lines' inbound middleware use it; it needs no Effect.
 *
 * @since 0.1.0
 */
import { allowed, optionsOf, requirementsProblem, rulesFor } from "./internal/accessRules.js"
import { numberProblem } from "./internal/organisationNumber.js"

// ---- Models ------------------------------------------------------------------

/**
 * ID-porten's levels of assurance, lowest first: `high` satisfies a
 * requirement of `substantial`.
 *
 * @category Models
 * @since 0.1.0
 */
export type Acr = "idporten-loa-substantial" | "idporten-loa-high"

/**
 * What a Maskinporten caller must have. `scopes` is required: the sidecar
 * checks no audience for Maskinporten tokens, so without it any valid
 * Maskinporten token, issued to any organisation for any API, would do.
 *
 * @category Models
 * @since 0.1.0
 */
export interface MaskinportenRequirements<C> {
  /** Every one must be in the token's space-separated `scope` claim. */
  readonly scopes: ReadonlyArray<string>
  /** Consumer organisation numbers (nine digits, mod-11), matched against `consumer.ID` (`0192:<orgno>`). */
  readonly consumers?: ReadonlyArray<string> | undefined
  /** A rule the options do not cover, over the typed claims. */
  readonly check?: ((claims: C) => boolean) | undefined
}

/**
 * What an ID-porten caller must have.
 *
 * @category Models
 * @since 0.1.0
 */
export interface IdportenRequirements<C> {
  /** The minimum level of assurance (`acr`); `idporten-loa-high` satisfies `idporten-loa-substantial`. */
  readonly acr?: Acr | undefined
  readonly check?: ((claims: C) => boolean) | undefined
}

/**
 * What a TokenX caller must have.
 *
 * @category Models
 * @since 0.1.0
 */
export interface TokenxRequirements<C> {
  /** The minimum level of assurance of the user's login (`acr`). */
  readonly acr?: Acr | undefined
  /** The calling applications allowed (`client_id`, e.g. `dev-gcp:team:frontend`). */
  readonly clients?: ReadonlyArray<string> | undefined
  readonly check?: ((claims: C) => boolean) | undefined
}

/**
 * What an Entra ID caller must have. With both `groups` and `roles`, one of
 * either will do (users come with groups, applications with roles).
 *
 * @category Models
 * @since 0.1.0
 */
export interface EntraIdRequirements<C> {
  /** Group object ids: the token's `groups` must hold at least one. */
  readonly groups?: ReadonlyArray<string> | undefined
  /** App roles: the token's `roles` must hold at least one. */
  readonly roles?: ReadonlyArray<string> | undefined
  /** The calling applications allowed (`azp_name`, e.g. `dev-gcp:team:app`). */
  readonly clients?: ReadonlyArray<string> | undefined
  readonly check?: ((claims: C) => boolean) | undefined
}

/**
 * Which provider's tokens an inbound middleware accepts, and what a caller
 * must have beyond an active token; `C` is the line's claims type. `require`
 * is required for `maskinporten` (with `scopes`): the sidecar checks no
 * audience for Maskinporten tokens, so without it any organisation's token
 * for any API would be let in.
 *
 * @category Models
 * @since 0.1.0
 */
export type Options<C> =
  | { readonly identityProvider: "maskinporten"; readonly require: MaskinportenRequirements<C> }
  | { readonly identityProvider: "idporten"; readonly require?: IdportenRequirements<C> | undefined }
  | { readonly identityProvider: "tokenx"; readonly require?: TokenxRequirements<C> | undefined }
  | { readonly identityProvider: "entra_id" | "azuread"; readonly require?: EntraIdRequirements<C> | undefined }

/**
 * Any provider's requirements, as an untyped caller may pass them.
 *
 * @category Models
 * @since 0.1.0
 */
export interface AnyRequirements<C> {
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly consumers?: ReadonlyArray<string> | undefined
  readonly acr?: Acr | undefined
  readonly groups?: ReadonlyArray<string> | undefined
  readonly roles?: ReadonlyArray<string> | undefined
  readonly clients?: ReadonlyArray<string> | undefined
  readonly check?: ((claims: C) => boolean) | undefined
}

/**
 * The outcome of a check: allowed, or forbidden with the reason (for the
 * log and the span, never for the caller) and, when scopes are missing,
 * which (for an `insufficient_scope` challenge).
 *
 * @category Models
 * @since 0.1.0
 */
export type Verdict =
  | { readonly _tag: "Allowed" }
  | { readonly _tag: "Forbidden"; readonly reason: string; readonly missingScopes: ReadonlyArray<string> }

/**
 * A checked set of requirements, ready to judge claims.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Policy<C> {
  readonly _tag: "Policy"
  readonly judge: (claims: C) => Verdict
}

/**
 * Requirements that cannot be a policy, and why.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Invalid {
  readonly _tag: "Invalid"
  readonly reason: string
}

// ---- Organisation numbers ------------------------------------------------------

/**
 * Why `organization` is not a Norwegian organisation number (nine digits, the
 * last a mod-11 check digit over the first eight), or undefined if it is one.
 *
 * @example
 * ```ts
 * import { Access } from "@effect-texas/protocol"
 *
 * console.log(Access.organizationNumberProblem("889640782")) // undefined
 * console.log(Access.organizationNumberProblem("889640781")) // the check digit should be 2
 * ```
 *
 * @category Checks
 * @since 0.1.0
 */
export const organizationNumberProblem: (organization: string) => string | undefined = numberProblem

// ---- Policies ------------------------------------------------------------------

/**
 * Checks `requirements` for `identityProvider` once, when the middleware is
 * built: a policy, or why it cannot be one (Maskinporten without `scopes`, a
 * consumer that is no organisation number, an option the provider does not
 * have, an unknown level of assurance).
 *
 * @example
 * ```ts
 * import { Access } from "@effect-texas/protocol"
 *
 * const policy = Access.compile("maskinporten", { scopes: ["nav:api/read"], consumers: ["889640782"] })
 * if (policy._tag === "Policy") {
 *   console.log(policy.judge({ scope: "nav:api/read", consumer: { ID: "0192:889640782" } })._tag) // Allowed
 *   console.log(policy.judge({ scope: "skatt:something", consumer: { ID: "0192:889640782" } })._tag) // Forbidden
 * }
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const compile = <C>(identityProvider: string, requirements: AnyRequirements<C> | undefined): Policy<C> | Invalid => {
  const given = requirements ?? {}
  const known = optionsOf[identityProvider]
  if (known === undefined) return { _tag: "Invalid", reason: `unknown identity provider ${JSON.stringify(identityProvider)}` }
  const stray = Object.keys(given).filter((option) => given[option as keyof AnyRequirements<C>] !== undefined && !known.includes(option as keyof AnyRequirements<C>))
  if (stray.length > 0) return { _tag: "Invalid", reason: `${identityProvider} tokens have no ${stray.join(", ")} to require (it takes ${known.join(", ")})` }
  const problem = requirementsProblem(identityProvider, given)
  if (problem !== undefined) return { _tag: "Invalid", reason: problem }
  const rules = rulesFor(identityProvider, given)
  return {
    _tag: "Policy",
    judge: (claims) => {
      for (const rule of rules) {
        const verdict = rule(claims)
        if (verdict !== undefined) return verdict
      }
      return allowed
    }
  }
}

/** The keys of `Options`: anything else (`requires` for `require`) is a mistake, not an open policy. */
const optionKeys: ReadonlyArray<string> = ["identityProvider", "require"]

/**
 * Checks a middleware's options once, when it is built: `compile` of their
 * `require` for their `identityProvider`, after refusing a key the options do
 * not have (from untyped configuration, `requires` for `require` would
 * otherwise leave the policy open).
 *
 * @example
 * ```ts
 * import { Access } from "@effect-texas/protocol"
 *
 * const misspelt = { identityProvider: "idporten", requires: { acr: "idporten-loa-high" } }
 * console.log(Access.fromOptions(misspelt as unknown as Access.Options<unknown>)._tag) // Invalid
 * ```
 *
 * @category Constructors
 * @since 0.2.0
 */
export const fromOptions = <C>(options: Options<C>): Policy<C> | Invalid => {
  const unknown = Object.keys(options).filter((key) => !optionKeys.includes(key))
  if (unknown.length > 0) return { _tag: "Invalid", reason: `the options have no ${unknown.join(", ")} (they take ${optionKeys.join(", ")})` }
  return compile<C>(options.identityProvider, options.require as AnyRequirements<C> | undefined)
}

/**
 * The `WWW-Authenticate` value of a 403 for missing scopes (RFC 6750 §3.1),
 * or undefined for other refusals (a plain 403).
 *
 * @example
 * ```ts
 * import { Access } from "@effect-texas/protocol"
 *
 * console.log(Access.forbiddenChallenge({ _tag: "Forbidden", reason: "", missingScopes: ["nav:api/read"] }))
 * // Bearer error="insufficient_scope", scope="nav:api/read"
 * ```
 *
 * @category Responses
 * @since 0.1.0
 */
export const forbiddenChallenge = (verdict: Verdict): string | undefined =>
  verdict._tag === "Forbidden" && verdict.missingScopes.length > 0
    ? `Bearer error="insufficient_scope", scope="${verdict.missingScopes.join(" ")}"`
    : undefined
