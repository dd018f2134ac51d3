/**
 * The decisions of Altinn's token exchange for Maskinporten
 * (`GET /authentication/api/v1/exchange/maskinporten`), as the emulator makes
 * them: the bearer token must be a Maskinporten token signed by the Texas
 * emulator and not expired; the answer is an Altinn JWT carrying the
 * organisation number, the consumer, the scopes and any system user details.
 */
import { randomUUID } from "node:crypto"
import * as Jose from "jose"

export const exchangePath = "/authentication/api/v1/exchange/maskinporten"
export const jwksPath = "/authentication/api/v1/openid/.well-known/openid-configuration/jwks"

/** What the exchange checks the Maskinporten token against. */
export interface ExchangeContext {
  readonly maskinportenKeys: Jose.JWTVerifyGetKey
  readonly maskinportenIssuer: string
  /** The emulator's clock, epoch ms. */
  readonly now: () => number
  readonly issuer: string
  /** Lifetime of an Altinn token in ms; undefined: the Maskinporten token's own expiry. */
  readonly lifetimeMs: number | undefined
  readonly sign: (claims: Jose.JWTPayload) => Promise<string>
}

export type ExchangeOutcome =
  | { readonly _tag: "Issued"; readonly token: string }
  | { readonly _tag: "Refused"; readonly reason: string }

const bearer = /^Bearer ([^\s]+)$/

/** `0192:<number>` from Maskinporten's `consumer` claim, as Altinn reads the organisation. */
const organisationOf = (consumer: unknown): string | undefined => {
  if (typeof consumer !== "object" || consumer === null) return undefined
  const id = (consumer as Record<string, unknown>)["ID"]
  return typeof id === "string" ? id.split(":").pop() : undefined
}

/** The Altinn token's claims, from the verified Maskinporten claims. */
const altinnClaims = (maskinporten: Jose.JWTPayload, context: ExchangeContext, test: boolean): Jose.JWTPayload => {
  const nowSeconds = Math.floor(context.now() / 1000)
  const exp = context.lifetimeMs === undefined
    ? maskinporten.exp!
    : Math.min(maskinporten.exp!, nowSeconds + Math.floor(context.lifetimeMs / 1000))
  const claims: Jose.JWTPayload = {
    iss: context.issuer,
    iat: nowSeconds,
    nbf: nowSeconds,
    exp,
    jti: randomUUID(),
    scope: maskinporten["scope"],
    client_id: maskinporten["client_id"],
    consumer: maskinporten["consumer"],
    "urn:altinn:orgNumber": organisationOf(maskinporten["consumer"]),
    "urn:altinn:authenticatemethod": "maskinporten",
    "urn:altinn:authlevel": 3
  }
  if (maskinporten["authorization_details"] !== undefined) claims["authorization_details"] = maskinporten["authorization_details"]
  // `?test=true` asks for a token as the test department (Testdepartementet, `ttd`).
  if (test) claims["urn:altinn:org"] = "ttd"
  return claims
}

/** Exchanges the bearer token of `authorization`, or says why not (never quoting the token). */
export const exchange = async (
  context: ExchangeContext,
  authorization: string | undefined,
  test: boolean
): Promise<ExchangeOutcome> => {
  const match = authorization === undefined ? null : bearer.exec(authorization)
  if (match === null) return { _tag: "Refused", reason: "missing bearer token" }
  let claims: Jose.JWTPayload
  try {
    claims = (await Jose.jwtVerify(match[1]!, context.maskinportenKeys, {
      algorithms: ["RS256"],
      issuer: context.maskinportenIssuer,
      requiredClaims: ["exp"],
      currentDate: new Date(context.now())
    })).payload
  } catch (error) {
    return { _tag: "Refused", reason: error instanceof Jose.errors.JOSEError ? error.code : "invalid token" }
  }
  return { _tag: "Issued", token: await context.sign(altinnClaims(claims, context, test)) }
}

/** How the answer is written: Altinn's text, or that text as a JSON string (as some gateways and clients see it). */
export type AnswerFormat = "text" | "json-string"

/** The token as Altinn answers it: plain text unless JSON is asked for (or configured). */
export const answerBody = (token: string, format: AnswerFormat, accept: string | undefined) => {
  const wantsJsonOnly = accept !== undefined && /application\/json/i.test(accept) && !/text\/plain|\*\/\*/i.test(accept)
  return format === "json-string" || wantsJsonOnly
    ? { contentType: "application/json; charset=utf-8", text: JSON.stringify(token) }
    : { contentType: "text/plain; charset=utf-8", text: token }
}
