/**
 * Token validation the way the sidecar's introspection endpoint does it
 * (nais/texas `src/oauth/token.rs`, `Jwks::validate`, on the `jsonwebtoken`
 * crate): the key by `kid` from the provider's own key set, RS256 only, the
 * required claims, `exp` / `nbf` / `iat` with 60 s of leeway, `iss`, and `aud`
 * for providers that have an audience. The reasons are the sidecar's words.
 */
import * as Jose from "jose"

/** The sidecar's `validation.leeway`, in seconds. */
const leewaySeconds = 60

/** What one provider checks a token against. */
export interface Validation {
  /** The provider's public keys by `kid`. */
  readonly keys: ReadonlyMap<string, Jose.CryptoKey | Jose.KeyObject>
  readonly issuer: string
  /** Required `aud` (the application's client id), or undefined when the provider has none (Maskinporten). */
  readonly audience: string | undefined
}

/** The verdict: the claims, or the reason the sidecar gives. */
export type Verdict =
  | { readonly _tag: "Valid"; readonly claims: Record<string, unknown> }
  | { readonly _tag: "Invalid"; readonly reason: string }

const invalid = (reason: string): Verdict => ({ _tag: "Invalid", reason })
const invalidToken = (kind: string): Verdict => invalid(`invalid token: ${kind}`)
const missingClaim = (claim: string): Verdict => invalidToken(`Missing required claim: ${claim}`)

const base64Url = /^[A-Za-z0-9_-]*$/

/** A JSON object from one base64url segment, or the `jsonwebtoken` error text. */
const decodeSegment = (segment: string): Record<string, unknown> | string => {
  if (!base64Url.test(segment) || segment.length % 4 === 1) return "Base64 error: Invalid input"
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"))
  } catch (error) {
    return `JSON error: ${error instanceof Error ? error.message : String(error)}`
  }
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : "JSON error: expected a JSON object"
}

/**
 * A numeric date as `jsonwebtoken` 10 reads `exp` and `nbf` (its
 * `numeric_type`, `src/validation.rs`): an unsigned integer as it is, a finite
 * float >= 0 rounded, absent or `null` as absent, anything else (a string, a
 * negative number) as malformed.
 */
const numericDate = (value: unknown): number | "absent" | "malformed" => {
  if (value === undefined || value === null) return "absent"
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) return "malformed"
  return Number.isInteger(value) ? value : Math.round(value)
}

/** `iat` as the sidecar reads it itself (`Value::as_u64`): only an unsigned integer. */
const unsignedInteger = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined

/** `iss` and `aud` as `jsonwebtoken` reads them: one string, or a set of strings (`Single` / `Multiple`). */
const stringOrList = (value: unknown): ReadonlyArray<string> | undefined => {
  if (typeof value === "string") return [value]
  if (Array.isArray(value) && value.every((entry) => typeof entry === "string")) return value as ReadonlyArray<string>
  return undefined
}

/**
 * The claim checks of `jsonwebtoken` 10's `validate`, in its order: the
 * required claims (`exp`, `iss`, and `aud` where an audience is required;
 * a malformed one counts as missing), a malformed `nbf` ("Invalid format for
 * claim"), `exp` and `nbf` with the leeway, `iss` (a list passes when it
 * holds the issuer), `aud` (likewise); then the sidecar's own `iat` check
 * (nais/texas `src/oauth/token.rs`, `Jwks::validate`).
 */
const checkClaims = (claims: Record<string, unknown>, validation: Validation, nowSeconds: number): Verdict => {
  const exp = numericDate(claims["exp"])
  const nbf = numericDate(claims["nbf"])
  const iss = stringOrList(claims["iss"])
  const aud = stringOrList(claims["aud"])
  if (typeof exp !== "number") return missingClaim("exp")
  if (iss === undefined) return missingClaim("iss")
  if (validation.audience !== undefined && aud === undefined) return missingClaim("aud")
  if (nbf === "malformed") return invalidToken("Invalid format for claim: nbf")
  if (exp < nowSeconds - leewaySeconds) return invalidToken("ExpiredSignature")
  if (typeof nbf === "number" && nbf > nowSeconds + leewaySeconds) return invalidToken("ImmatureSignature")
  if (!iss.includes(validation.issuer)) return invalidToken("InvalidIssuer")
  if (validation.audience !== undefined && !aud!.includes(validation.audience)) return invalidToken("InvalidAudience")
  const iat = unsignedInteger(claims["iat"])
  if (iat === undefined) return missingClaim("iat")
  if (iat > nowSeconds + leewaySeconds) return invalidToken("ImmatureSignature")
  return { _tag: "Valid", claims }
}

/**
 * Validates `token` as the sidecar validates it for one identity provider, at
 * `nowSeconds` (the emulator's clock).
 */
export const validate = async (token: string, validation: Validation, nowSeconds: number): Promise<Verdict> => {
  const parts = token.split(".")
  if (parts.length < 3) return invalid("invalid token header: InvalidToken")
  const header = decodeSegment(parts.slice(0, -2).join("."))
  if (typeof header === "string") return invalid(`invalid token header: ${header}`)
  if (typeof header["alg"] !== "string") return invalid("invalid token header: JSON error: missing field `alg`")
  if (typeof header["kid"] !== "string") return invalid("missing key id from token header")
  const key = validation.keys.get(header["kid"])
  if (key === undefined) return invalid("token can not be validated with this identity provider")
  if (header["alg"] !== "RS256") return invalidToken("InvalidAlgorithm")
  try {
    await Jose.compactVerify(token, key, { algorithms: ["RS256"] })
  } catch {
    return invalidToken("InvalidSignature")
  }
  const claims = decodeSegment(parts[parts.length - 2]!)
  if (typeof claims === "string") return invalidToken(claims)
  return checkClaims(claims, validation, nowSeconds)
}
