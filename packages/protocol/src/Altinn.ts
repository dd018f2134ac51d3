/**
 * Altinn 3 without Effect, shared by both lines' `@effect-texas/altinn`:
 * where the exchange is, what its answer means, and the system user as a
 * Maskinporten authorization detail.
 *
 * @since 0.1.0
 */
import * as Jose from "jose"
import { organizationNumberProblem } from "./Access.js"
import { checkBaseUrl } from "./Origins.js"
import { expiryProblem } from "./Policy.js"
import { type Invalid, isFrozenPlainData, isInvalid, prepareRemembered } from "./Request.js"

/**
 * The platform URLs Altinn publishes, by name.
 *
 * @example
 * ```ts
 * import { Altinn } from "@effect-texas/protocol"
 *
 * console.log(Altinn.platformUrls.tt02) // https://platform.tt02.altinn.no
 * ```
 *
 * @category Constants
 * @since 0.1.0
 */
export const platformUrls = {
  production: "https://platform.altinn.no",
  tt02: "https://platform.tt02.altinn.no"
} as const

const exchangePath = "/authentication/api/v1/exchange/maskinporten"

/**
 * The exchange endpoint of a platform URL or name (`production`, `tt02`), or
 * why the URL is refused (https only, http on loopback; no credentials,
 * query or fragment).
 *
 * @example
 * ```ts
 * import { Altinn } from "@effect-texas/protocol"
 *
 * console.log(Altinn.exchangeUrl("tt02", false))
 * // https://platform.tt02.altinn.no/authentication/api/v1/exchange/maskinporten
 * ```
 *
 * @category Endpoints
 * @since 0.1.0
 */
export const exchangeUrl = (platformUrl: string | URL, test: boolean): string | { readonly reason: string } => {
  const text = String(platformUrl)
  const base = checkBaseUrl(text === "production" || text === "tt02" ? platformUrls[text] : text)
  return typeof base === "string" ? `${base}${exchangePath}${test ? "?test=true" : ""}` : { reason: `the Altinn platform URL ${base.reason}` }
}

/** The answer's text as a token: bare, or as a JSON string. */
const tokenText = (text: string): string | undefined => {
  const trimmed = text.trim()
  if (!trimmed.startsWith("\"")) return trimmed
  try {
    const parsed: unknown = JSON.parse(trimmed)
    return typeof parsed === "string" ? parsed : undefined
  } catch {
    return undefined
  }
}

/**
 * An exchange answer read: the token and its expiry in epoch ms, or why it is
 * not one (by shape and length only: never a part of the text).
 *
 * @category Models
 * @since 0.1.0
 */
export type Answer =
  | { readonly ok: true; readonly token: string; readonly expiresAtMillis: number }
  | { readonly ok: false; readonly reason: string }

/**
 * Reads the exchange's answer (a JWT, bare or as a JSON string) and its own
 * `exp`, refusing one that has expired by `receivedAtMillis` or whose expiry
 * no date can hold.
 *
 * @example
 * ```ts
 * import { Altinn } from "@effect-texas/protocol"
 *
 * const answer = Altinn.readAnswer("not a token", Date.now())
 * if (!answer.ok) console.log(answer.reason) // the answer is not a JWT (11 characters)
 * ```
 *
 * @category Answers
 * @since 0.1.0
 */
export const readAnswer = (text: string, receivedAtMillis: number): Answer => {
  const token = tokenText(text)
  const notAToken = { ok: false, reason: `the answer is not a JWT (${text.length} characters)` } as const
  if (token === undefined || !/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) return notAToken
  let exp: unknown
  try {
    exp = Jose.decodeJwt(token).exp
  } catch {
    return notAToken
  }
  if (typeof exp !== "number" || !Number.isFinite(exp)) return { ok: false, reason: "the token has no numeric exp claim" }
  const expiresAtMillis = exp * 1000
  const unusable = expiryProblem(expiresAtMillis)
  if (unusable !== undefined) return { ok: false, reason: `exp: ${unusable}` }
  if (expiresAtMillis <= receivedAtMillis) return { ok: false, reason: "the token had already expired" }
  return { ok: true, token, expiresAtMillis }
}

/**
 * The authorization detail of type `urn:altinn:systemuser`, with the field
 * names as Altinn and the sidecar's `hack/roundtrip-maskinporten-rar.sh`
 * spell them.
 *
 * @category Models
 * @since 0.1.0
 */
export type SystemUserDetail = {
  readonly type: "urn:altinn:systemuser"
  readonly systemuser_org: {
    readonly authority: "iso6523-actorid-upis"
    /** `0192:<organisation number>` (0192: the Norwegian register of legal entities). */
    readonly ID: string
  }
  /** The system user's id, when the organisation has more than one for the system. */
  readonly systemuser_id?: ReadonlyArray<string>
  /** The system's id in Altinn's system register, e.g. `991825827_smartcloud`. */
  readonly system_id?: string
}

/**
 * Who the system acts for.
 *
 * @category Models
 * @since 0.1.0
 */
export interface SystemUserOptions {
  /** The organisation number (nine digits) of the organisation that owns the system user. */
  readonly organization: string
  /** The system user's id (a UUID). */
  readonly systemUserId?: string | undefined
  /** The system's id in the system register. */
  readonly systemId?: string | undefined
}

/**
 * The system user's authorization detail, or why the organisation number is
 * not one.
 *
 * @example
 * ```ts
 * import { Altinn } from "@effect-texas/protocol"
 *
 * const detail = Altinn.systemUserDetail({ organization: "313367002" })
 * if ("type" in detail) console.log(detail.systemuser_org.ID) // 0192:313367002
 * ```
 *
 * @category System users
 * @since 0.1.0
 */
export const systemUserDetail = (options: SystemUserOptions): SystemUserDetail | { readonly reason: string } => {
  const reason = organizationNumberProblem(options.organization)
  if (reason !== undefined) return { reason }
  return {
    type: "urn:altinn:systemuser",
    systemuser_org: { authority: "iso6523-actorid-upis", ID: `0192:${options.organization}` },
    ...(options.systemUserId === undefined ? {} : { systemuser_id: [options.systemUserId] }),
    ...(options.systemId === undefined ? {} : { system_id: options.systemId })
  }
}

const deepFreeze = <A>(value: A): A => {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

/**
 * The details as they go on the wire, deeply frozen (so a request built on
 * them is prepared once); details that cannot be sent as JSON are kept as
 * given, for the token call to refuse them typed.
 *
 * @example
 * ```ts
 * import { Altinn } from "@effect-texas/protocol"
 *
 * const details = Altinn.frozenDetails([{ type: "urn:altinn:systemuser" }])
 * console.log(Object.isFrozen(details[0])) // true
 * ```
 *
 * @category System users
 * @since 0.1.0
 */
export const frozenDetails = (details: ReadonlyArray<Record<string, unknown>>): ReadonlyArray<Record<string, unknown>> => {
  try {
    return deepFreeze(JSON.parse(JSON.stringify(details)) as ReadonlyArray<Record<string, unknown>>)
  } catch {
    return details
  }
}

/**
 * An Altinn token request checked: the Maskinporten request behind it (frozen, so the token
 * service remembers its own preparation too), that request's cache key (equal Maskinporten
 * requests exchange to equal Altinn tokens), and its scopes as one string.
 *
 * @category Exchange
 * @since 0.2.0
 */
export interface PreparedExchange {
  readonly _tag: "Prepared"
  readonly key: string
  readonly scopes: string
  readonly maskinporten: {
    readonly identityProvider: "maskinporten"
    readonly target: string | ReadonlyArray<string>
    readonly authorizationDetails?: ReadonlyArray<Record<string, unknown>> | undefined
  }
}

/** Requests that cannot change (as `authenticateAltinn` passes its one on every call), prepared once. */
const remembered = new WeakMap<object, PreparedExchange>()

/**
 * Checks an Altinn token request (its scopes and details as a Maskinporten request), or says
 * why it is refused; a deeply frozen request is prepared once.
 *
 * @example
 * ```ts
 * import { Altinn } from "@effect-texas/protocol"
 *
 * const prepared = Altinn.prepareExchange({ scopes: ["altinn:a", "altinn:b"] })
 * if (prepared._tag !== "Invalid") console.log(prepared.scopes) // altinn:a altinn:b
 * ```
 *
 * @category Exchange
 * @since 0.2.0
 */
export const prepareExchange = (request: {
  readonly scopes: string | ReadonlyArray<string>
  readonly authorizationDetails?: ReadonlyArray<Record<string, unknown>> | undefined
}): PreparedExchange | Invalid => {
  const known = remembered.get(request)
  if (known !== undefined) return known
  const maskinporten = Object.freeze({ identityProvider: "maskinporten" as const, target: request.scopes, authorizationDetails: request.authorizationDetails })
  const checked = prepareRemembered(maskinporten)
  if (isInvalid(checked)) return checked
  const prepared: PreparedExchange = { _tag: "Prepared", key: checked.key, scopes: typeof request.scopes === "string" ? request.scopes : request.scopes.join(" "), maskinporten }
  if (isFrozenPlainData(request)) remembered.set(request, prepared)
  return prepared
}
