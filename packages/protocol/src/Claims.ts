/**
 * The claims an introspection answer carries that the SDK types, and the
 * check both lines make of them: a known claim of the wrong type makes the
 * answer unusable (named by claim, never by value), the rest pass as they are.
 *
 * @since 0.1.0
 */

/**
 * What a known claim must be.
 *
 * @category Models
 * @since 0.1.0
 */
export type Kind = "string" | "number" | "string or list of strings" | "list of strings" | "organisation (authority and ID)"

/**
 * The known claims and their kinds (the rest of an answer is passed on untyped).
 *
 * @example
 * ```ts
 * import { Claims } from "@effect-texas/protocol"
 *
 * console.log(Claims.kinds.exp) // number
 * ```
 *
 * @category Models
 * @since 0.1.0
 */
export const kinds: Readonly<Record<string, Kind>> = {
  iss: "string or list of strings",
  sub: "string",
  aud: "string or list of strings",
  exp: "number",
  iat: "number",
  nbf: "number",
  jti: "string",
  azp: "string",
  client_id: "string",
  scope: "string",
  pid: "string",
  acr: "string",
  idp: "string",
  NAVident: "string",
  // Maskinporten
  consumer: "organisation (authority and ID)",
  supplier: "organisation (authority and ID)",
  client_amr: "string",
  // ID-porten
  amr: "list of strings",
  locale: "string",
  // Entra ID
  oid: "string",
  groups: "list of strings",
  roles: "list of strings",
  azp_name: "string",
  idtyp: "string",
  name: "string",
  preferred_username: "string"
}

const fits = (kind: Kind, value: unknown): boolean => {
  switch (kind) {
    case "string":
      return typeof value === "string"
    case "number":
      return typeof value === "number" && Number.isFinite(value)
    case "string or list of strings":
      return typeof value === "string" || (Array.isArray(value) && value.every((item) => typeof item === "string"))
    case "list of strings":
      return Array.isArray(value) && value.every((item) => typeof item === "string")
    case "organisation (authority and ID)": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return false
      const organisation = value as Record<string, unknown>
      return typeof organisation["ID"] === "string" && (organisation["authority"] === undefined || typeof organisation["authority"] === "string")
    }
  }
}

/**
 * What is wrong with the known claims of `claims`, each as `name: expected
 * kind` (never a value: a claim may hold personal data); empty when nothing.
 *
 * @example
 * ```ts
 * import { Claims } from "@effect-texas/protocol"
 *
 * console.log(Claims.problems({ sub: { id: 1 }, exp: "soon", custom: [1] })) // ["sub: expected a string", "exp: expected a number"]
 * ```
 *
 * @category Checks
 * @since 0.1.0
 */
export const problems = (claims: Readonly<Record<string, unknown>>): ReadonlyArray<string> => {
  const found: Array<string> = []
  for (const [name, kind] of Object.entries(kinds)) {
    const value = claims[name]
    if (value !== undefined && !fits(kind, value)) found.push(`${name}: expected a ${kind}`)
  }
  return found
}

/**
 * `claims` frozen all the way down, and returned. A verdict cache hands the
 * same claims to every request with the same token: frozen, a handler or a
 * policy's check that changes them (`groups.push`) throws in strict mode
 * instead of changing what the next request sees. Frozen once, when an
 * answer is decoded, so a cache hit costs nothing more.
 *
 * @example
 * ```ts
 * import { Claims } from "@effect-texas/protocol"
 *
 * const claims = Claims.frozen({ sub: "user-a", groups: ["readers"] })
 * console.log(Object.isFrozen(claims.groups)) // true
 * ```
 *
 * @category Constructors
 * @since 0.2.0
 */
export const frozen = <A extends object>(claims: A): A => {
  for (const value of Object.values(claims)) {
    if (typeof value === "object" && value !== null && !Object.isFrozen(value)) frozen(value as object)
  }
  return Object.freeze(claims)
}
