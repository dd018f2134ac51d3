/**
 * Who may call an API, beyond "the sidecar says the token is active": the
 * requirements per identity provider (scopes and consumer organisations for
 * Maskinporten, a level of assurance for ID-porten and TokenX, groups, roles
 * and calling applications for Entra ID), checked against the token's claims.
 * Both lines' inbound middleware use it; it needs no Effect.
 *
 * @since 0.1.0
 */

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

const weights = [3, 2, 7, 6, 5, 4, 3, 2]

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
export const organizationNumberProblem = (organization: string): string | undefined => {
  if (!/^\d{9}$/.test(organization)) return "it must be exactly nine digits"
  const digits = [...organization].map(Number)
  const sum = weights.reduce((total, weight, index) => total + weight * digits[index]!, 0)
  const check = 11 - (sum % 11)
  if (check === 10) return "no organisation number has these first eight digits (their check digit would be 10)"
  const expected = check === 11 ? 0 : check
  return digits[8] === expected ? undefined : `the check digit should be ${expected}`
}

// ---- Policies ------------------------------------------------------------------

const allowed: Verdict = { _tag: "Allowed" }
const forbidden = (reason: string, missingScopes: ReadonlyArray<string> = []): Verdict => ({ _tag: "Forbidden", reason, missingScopes })

/** Which options each provider takes (an option for another provider is a configuration error, not ignored). */
const optionsOf: Readonly<Record<string, ReadonlyArray<keyof AnyRequirements<unknown>>>> = {
  maskinporten: ["scopes", "consumers", "check"],
  idporten: ["acr", "check"],
  tokenx: ["acr", "clients", "check"],
  entra_id: ["groups", "roles", "clients", "check"],
  azuread: ["groups", "roles", "clients", "check"]
}

const levels: ReadonlyArray<string> = ["idporten-loa-substantial", "idporten-loa-high"]

const strings = (value: unknown): ReadonlyArray<string> =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []

const claim = (claims: unknown, name: string): unknown =>
  typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>)[name] : undefined

/** One rule: a verdict for the claims, or undefined when they pass it. */
type Rule = (claims: unknown) => Verdict | undefined

const scopeRule = (scopes: ReadonlyArray<string>): Rule => (claims) => {
  const scope = claim(claims, "scope")
  const held = new Set(typeof scope === "string" ? scope.split(" ") : [])
  const missing = scopes.filter((wanted) => !held.has(wanted))
  return missing.length === 0 ? undefined : forbidden(`the token lacks scope ${missing.join(" ")}`, missing)
}

const consumerRule = (consumers: ReadonlyArray<string>): Rule => {
  const ids = new Set(consumers.map((organization) => `0192:${organization}`))
  return (claims) => {
    const id = claim(claim(claims, "consumer"), "ID")
    return typeof id === "string" && ids.has(id) ? undefined : forbidden("the consumer organisation is not one of those allowed")
  }
}

const acrRule = (acr: Acr): Rule => (claims) => {
  const level = levels.indexOf(String(claim(claims, "acr")))
  return level >= levels.indexOf(acr) ? undefined : forbidden(`the login's level of assurance is below ${acr}`)
}

const clientRule = (name: "client_id" | "azp_name", clients: ReadonlyArray<string>): Rule => {
  const allowedClients = new Set(clients)
  return (claims) => {
    const client = claim(claims, name)
    return typeof client === "string" && allowedClients.has(client) ? undefined : forbidden(`the calling application (${name}) is not one of those allowed`)
  }
}

const membershipRule = (groups: ReadonlyArray<string> | undefined, roles: ReadonlyArray<string> | undefined): Rule => (claims) => {
  const inGroup = groups !== undefined && strings(claim(claims, "groups")).some((group) => groups.includes(group))
  const inRole = roles !== undefined && strings(claim(claims, "roles")).some((role) => roles.includes(role))
  if (inGroup || inRole) return undefined
  return forbidden(groups !== undefined && roles !== undefined ? "the caller has none of the groups or roles allowed" : groups !== undefined ? "the caller is in none of the groups allowed" : "the caller has none of the roles allowed")
}

/** Allows only on `true`: a Promise (an async check is not awaited), `"false"` or an object refuses. */
const checkRule = <C>(check: (claims: C) => boolean): Rule => (claims) => {
  try {
    const result: unknown = check(claims as C)
    if (result === true) return undefined
    return forbidden(result === false ? "the policy's check refused the claims" : `the policy's check returned no boolean (${result instanceof Promise ? "a Promise: an async check is not awaited" : typeof result})`)
  } catch {
    return forbidden("the policy's check failed")
  }
}

/**
 * A scope as RFC 6749 §3.3 writes one (`scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`): no space,
 * quote, backslash or control character, which would never match a token's space-separated
 * `scope` claim, or break the `WWW-Authenticate` challenge that names it.
 */
const scopeToken = /^[\x21\x23-\x5B\x5D-\x7E]+$/

const scopeProblem = (scopes: ReadonlyArray<string> | undefined): string | undefined => {
  const wrong = scopes?.find((scope) => !scopeToken.test(scope))
  return wrong === undefined ? undefined : `require.scopes: ${JSON.stringify(wrong)} is no scope (RFC 6749 §3.3: printable ASCII without space, quote or backslash)`
}

/** Why a list option is unusable, or undefined. */
const listProblem = (name: string, value: unknown, required: boolean): string | undefined => {
  if (value === undefined) return required ? `${name} is required` : undefined
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string" && item.length > 0)) return `${name} must be a list of non-empty strings`
  return value.length === 0 ? `${name} must not be empty (it would let no one in${required ? "" : ", or everyone: say which by leaving it out"})` : undefined
}

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
  const problem = listProblem("require.scopes", given.scopes, identityProvider === "maskinporten") ??
    listProblem("require.consumers", given.consumers, false) ??
    listProblem("require.groups", given.groups, false) ??
    listProblem("require.roles", given.roles, false) ??
    listProblem("require.clients", given.clients, false) ??
    scopeProblem(given.scopes) ??
    (given.acr !== undefined && !levels.includes(given.acr) ? `require.acr must be one of ${levels.join(", ")}` : undefined) ??
    (given.check !== undefined && typeof given.check !== "function" ? "require.check must be a function" : undefined) ??
    given.consumers?.map((organization) => {
      const wrong = organizationNumberProblem(organization)
      return wrong === undefined ? undefined : `require.consumers: ${organization} is no organisation number: ${wrong}`
    }).find((wrong) => wrong !== undefined)
  if (problem !== undefined) {
    return { _tag: "Invalid", reason: identityProvider === "maskinporten" && given.scopes === undefined ? `${problem} for maskinporten: the sidecar checks no audience for Maskinporten tokens, so without it any organisation's token for any API would be let in` : problem }
  }
  const rules: Array<Rule> = []
  if (given.scopes !== undefined) rules.push(scopeRule(given.scopes))
  if (given.consumers !== undefined) rules.push(consumerRule(given.consumers))
  if (given.acr !== undefined) rules.push(acrRule(given.acr))
  if (given.clients !== undefined) rules.push(clientRule(identityProvider === "tokenx" ? "client_id" : "azp_name", given.clients))
  if (given.groups !== undefined || given.roles !== undefined) rules.push(membershipRule(given.groups, given.roles))
  if (given.check !== undefined) rules.push(checkRule(given.check))
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
