/**
 * The inbound rules behind `Access.compile`: why requirements are unusable, and one rule per
 * requirement, each a verdict for the claims or undefined when they pass.
 */
import type { Acr, AnyRequirements, Verdict } from "../Access.js"
import { numberProblem as organizationNumberProblem } from "./organisationNumber.js"

export const allowed: Verdict = { _tag: "Allowed" }
const forbidden = (reason: string, missingScopes: ReadonlyArray<string> = []): Verdict => ({ _tag: "Forbidden", reason, missingScopes })

/** Which options each provider takes (an option for another provider is a configuration error, not ignored). */
export const optionsOf: Readonly<Record<string, ReadonlyArray<keyof AnyRequirements<unknown>>>> = {
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
export type Rule = (claims: unknown) => Verdict | undefined

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

/** Why `given` cannot be a policy for `identityProvider`, or undefined. */
export const requirementsProblem = <C>(identityProvider: string, given: AnyRequirements<C>): string | undefined => {
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
  if (problem === undefined || identityProvider !== "maskinporten" || given.scopes !== undefined) return problem
  return `${problem} for maskinporten: the sidecar checks no audience for Maskinporten tokens, so without it any organisation's token for any API would be let in`
}

/** The rules `given` asks for, in the order they are judged. */
export const rulesFor = <C>(identityProvider: string, given: AnyRequirements<C>): ReadonlyArray<Rule> => {
  const rules: Array<Rule> = []
  if (given.scopes !== undefined) rules.push(scopeRule(given.scopes))
  if (given.consumers !== undefined) rules.push(consumerRule(given.consumers))
  if (given.acr !== undefined) rules.push(acrRule(given.acr))
  if (given.clients !== undefined) rules.push(clientRule(identityProvider === "tokenx" ? "client_id" : "azp_name", given.clients))
  if (given.groups !== undefined || given.roles !== undefined) rules.push(membershipRule(given.groups, given.roles))
  if (given.check !== undefined) rules.push(checkRule(given.check))
  return rules
}
