/**
 * The emulated identity providers behind the sidecar: who they are (issuer,
 * the application's client id there) and what they decide for a token
 * request or an exchange (the claims to sign, or the OAuth error they answer).
 * What the sidecar itself checks lives in `routes.ts` and `jwt.ts`; what is
 * here is the identity provider's call, which the sidecar passes through.
 */
import type * as Jose from "jose"
import type { DecodedTokenRequest, OAuthErrorAnswer } from "./protocol.js"

/** An identity provider as the sidecar names it (`azuread` is an alias of `entra_id`). */
export type IdentityProvider = "maskinporten" | "entra_id" | "tokenx" | "idporten"

/** Every provider, in the sidecar's order. */
export const allProviders: ReadonlyArray<IdentityProvider> = ["entra_id", "tokenx", "maskinporten", "idporten"]

/** What the sidecar is configured with per provider: the issuer it trusts and the application's client id. */
export interface ProviderIdentity {
  readonly issuer: string
  readonly clientId: string
}

/** An identity provider's decision: the claims to sign, or its error answer (passed through by the sidecar). */
export type Decision =
  | { readonly _tag: "Claims"; readonly claims: Jose.JWTPayload }
  | { readonly _tag: "Rejected"; readonly answer: OAuthErrorAnswer }

export const rejected = (status: number, error: string, description: string): Decision => ({
  _tag: "Rejected",
  answer: { status, error, description }
})

const invalidScope = (description: string): Decision => rejected(400, "invalid_scope", description)

const splitScopes = (target: string): ReadonlyArray<string> => target.split(/\s+/).filter((scope) => scope.length > 0)

/** Entra ID's client credentials scope: exactly one `<resource>/.default`, any resource. */
const entraResource = (target: string): string | Decision => {
  const scopes = splitScopes(target)
  if (scopes.length !== 1) {
    return invalidScope(
      `AADSTS70011: The provided value for scope ${target} is not valid. Client credential flows must name exactly one resource with the /.default suffix.`
    )
  }
  const scope = scopes[0]!
  if (!scope.endsWith("/.default")) {
    return invalidScope(
      `AADSTS1002012: The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`
    )
  }
  const resource = scope.slice(0, -"/.default".length)
  if (resource.length === 0) {
    return invalidScope(`AADSTS500011: The resource principal named in scope ${scope} is empty: name a resource before /.default.`)
  }
  return resource
}

/** What the emulated providers need to decide. */
export interface ProviderContext {
  readonly identity: (provider: IdentityProvider) => ProviderIdentity
  readonly organisationNumber: string
  readonly isGranted: (scope: string) => boolean
}

/** Maskinporten: every scope must be granted to the organisation; `resource` and details are forwarded as given. */
const maskinporten = (context: ProviderContext, request: DecodedTokenRequest): Decision => {
  const scopes = splitScopes(request.target)
  if (scopes.length === 0) return invalidScope("Missing scope: the request names no scope")
  const denied = scopes.filter((scope) => !context.isGranted(scope))
  if (denied.length > 0) {
    return invalidScope(
      `Consumer ${context.organisationNumber} has not been granted access to the scope(s): ${denied.join(", ")}`
    )
  }
  const me = context.identity("maskinporten")
  return {
    _tag: "Claims",
    claims: {
      iss: me.issuer,
      aud: request.resource ?? "unspecified",
      scope: scopes.join(" "),
      client_id: me.clientId,
      client_amr: "private_key_jwt",
      token_type: "Bearer",
      consumer: { authority: "iso6523-actorid-upis", ID: `0192:${context.organisationNumber}` },
      ...(request.resource === undefined ? {} : { resource: request.resource }),
      ...(request.authorizationDetails === undefined ? {} : { authorization_details: request.authorizationDetails })
    }
  }
}

/** Entra ID client credentials: `<resource>/.default`, the resource must be granted; `aud` is the resource. */
const entraId = (context: ProviderContext, request: DecodedTokenRequest): Decision => {
  const resource = entraResource(request.target)
  if (typeof resource !== "string") return resource
  const me = context.identity("entra_id")
  if (!context.isGranted(request.target.trim())) {
    return invalidScope(`AADSTS501051: Application '${me.clientId}' is not assigned to a role for the application '${resource}'.`)
  }
  return entraToken(me, resource, { sub: me.clientId, oid: me.clientId, tid: "emulator-tenant", idtyp: "app", roles: ["access_as_application"] })
}

/** An Entra ID (v2.0) access token for `resource`, requested by this application, with the grant's own claims. */
const entraToken = (me: ProviderIdentity, resource: string, claims: Jose.JWTPayload): Decision => ({
  _tag: "Claims",
  claims: { iss: me.issuer, aud: resource, azp: me.clientId, ...claims, ver: "2.0" }
})

/** The claims of a machine token, or the provider's refusal. */
export const decideToken = (context: ProviderContext, request: DecodedTokenRequest): Decision =>
  request.identityProvider === "entra_id" ? entraId(context, request) : maskinporten(context, request)

/** Entra ID on-behalf-of: only Entra ID's own user tokens, for any `<resource>/.default`. */
const onBehalfOf = (context: ProviderContext, target: string, user: Jose.JWTPayload, from: IdentityProvider): Decision => {
  if (from !== "entra_id") {
    return rejected(400, "invalid_grant", "AADSTS50013: Assertion failed signature validation or was not issued by Entra ID.")
  }
  const resource = entraResource(target)
  if (typeof resource !== "string") return resource
  return entraToken(context.identity("entra_id"), resource, {
    sub: user.sub ?? "",
    oid: user["oid"] ?? user.sub,
    ...(user["NAVident"] === undefined ? {} : { NAVident: user["NAVident"] }),
    scp: "defaultaccess"
  })
}

/** TokenX: user tokens from ID-porten, Entra ID or TokenX itself; `aud` is the target application. */
const tokenX = (context: ProviderContext, target: string, user: Jose.JWTPayload, from: IdentityProvider): Decision => {
  if (from === "maskinporten") {
    return rejected(400, "invalid_request", "invalid subject_token: not issued by an identity provider TokenX trusts")
  }
  const me = context.identity("tokenx")
  return {
    _tag: "Claims",
    claims: {
      iss: me.issuer,
      aud: target,
      sub: user.sub ?? "",
      client_id: me.clientId,
      idp: user.iss ?? context.identity(from).issuer,
      ...(user["pid"] === undefined ? {} : { pid: user["pid"] }),
      ...(user["acr"] === undefined ? {} : { acr: user["acr"] })
    }
  }
}

/** The claims of an exchanged token, or the provider's refusal. */
export const decideExchange = (
  context: ProviderContext,
  provider: "tokenx" | "entra_id",
  target: string,
  user: Jose.JWTPayload,
  from: IdentityProvider
): Decision => (provider === "entra_id" ? onBehalfOf(context, target, user, from) : tokenX(context, target, user, from))

/** The claims a login at `provider` puts in a user's token, before the caller's own. */
export const userClaims = (context: ProviderContext, provider: IdentityProvider, subject: string): Jose.JWTPayload => ({
  iss: context.identity(provider).issuer,
  aud: context.identity(provider).clientId,
  sub: subject,
  ...(provider === "entra_id" ? { oid: subject, azp: "emulator-frontend", ver: "2.0" } : {}),
  ...(provider === "idporten" ? { acr: "idporten-loa-high", client_id: "emulator-frontend" } : {})
})
