/**
 * The sidecar's two answers, decoded once for both lines: a token answer (`/api/v1/token`,
 * `/api/v1/token/exchange`) and an introspection answer (`/api/v1/introspect`), each to its parts or
 * to why it cannot be used, naming fields and never quoting a value (one may be a token). Each line
 * wraps the parts in its own classes (`AccessToken`, `Active`, `Inactive`).
 *
 * @since 0.2.0
 */
import { frozen, problems as claimProblems } from "./Claims.js"
import { expiryProblem } from "./Policy.js"
import { parseJsonObject } from "./Wire.js"

/**
 * A token answer (`/api/v1/token`, `/api/v1/token/exchange`) decoded once for both lines: the token
 * and its lifetime, or why the answer is not usable, naming fields and never quoting a value (one
 * may be a token). `token_type` is `Bearer` in any case (RFC 6749 §5.1); `expires_in` is a whole
 * number of seconds above 0 that a date can hold from `receivedAtMillis`.
 *
 * @example
 * ```ts
 * import { Answers } from "@effect-texas/protocol"
 *
 * const answer = Answers.decodeToken('{"access_token":"x","expires_in":3600,"token_type":"bearer"}', "application/json", Date.now())
 * console.log(answer.ok ? answer.expiresInSeconds : answer.reason) // 3600
 * ```
 *
 * @category Decoding
 * @since 0.2.0
 */
export const decodeToken = (
  text: string,
  contentType: string | undefined,
  receivedAtMillis: number
): { readonly ok: true; readonly accessToken: string; readonly expiresInSeconds: number } | { readonly ok: false; readonly reason: string } => {
  const json = parseJsonObject(text)
  if (!json.ok) return { ok: false, reason: `${json.reason} (content-type ${contentType ?? "(none)"})` }
  const { access_token: token, expires_in: expiresIn, token_type: tokenType } = json.value
  const problems: Array<string> = []
  if (typeof token !== "string" || token.length === 0) problems.push("access_token: expected a non-empty string")
  if (typeof expiresIn !== "number" || !Number.isInteger(expiresIn) || expiresIn < 0) problems.push("expires_in: expected a whole number of seconds, at least 0")
  if (typeof tokenType !== "string") problems.push("token_type: expected a string")
  else if (tokenType.toLowerCase() !== "bearer") problems.push("token_type: expected \"Bearer\" (in any case)")
  if (problems.length > 0 || typeof token !== "string" || typeof expiresIn !== "number") return { ok: false, reason: problems.join("; ") }
  if (expiresIn === 0) return { ok: false, reason: "the token had already expired (expires_in 0)" }
  const unusable = expiryProblem(receivedAtMillis + expiresIn * 1000)
  if (unusable !== undefined) return { ok: false, reason: `expires_in: ${unusable}` }
  return { ok: true, accessToken: token, expiresInSeconds: expiresIn }
}

/**
 * An introspection answer (`/api/v1/introspect`) decoded once for both lines: `active`, the
 * sidecar's `error` when it said one, and the claims beside them (frozen), or why the answer is not
 * usable. `active` must be a boolean; the claims the SDK types (`Claims`) must have their types,
 * every wrong one named; any other claim passes as it is.
 *
 * @example
 * ```ts
 * import { Answers } from "@effect-texas/protocol"
 *
 * const answer = Answers.decodeIntrospection('{"active":false,"error":"token is expired"}')
 * console.log(answer.ok && !answer.active ? answer.error : "") // token is expired
 * ```
 *
 * @category Decoding
 * @since 0.2.0
 */
export const decodeIntrospection = (
  text: string
):
  | { readonly ok: true; readonly active: boolean; readonly error: string | undefined; readonly claims: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly reason: string } =>
{
  const json = parseJsonObject(text)
  if (!json.ok) return { ok: false, reason: json.reason }
  const { active, error, ...claims } = json.value
  if (typeof active !== "boolean") return { ok: false, reason: "active: expected a boolean" }
  const wrong = claimProblems(claims)
  if (wrong.length > 0) return { ok: false, reason: wrong.join("; ") }
  return { ok: true, active, error: typeof error === "string" ? error : undefined, claims: frozen(claims) }
}
