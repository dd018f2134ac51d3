/**
 * The emulated identity providers behind the sidecar: who they are (issuer,
 * the application's client id there) and what they decide for a token
 * request or an exchange (the claims to sign, or the OAuth error they answer).
 * What the sidecar itself checks lives in `routes.ts` and `jwt.ts`; what is
 * here is the identity provider's call, which the sidecar passes through.
 */
import type * as Jose from "jose"
import type { DecodedTokenRequest, OAuthErrorAnswer } from "./protocol.js"

/**
 * An identity provider as the sidecar names it (`azuread` is an alias of `entra_id`).
 *
 * @category Models
 * @since 0.1.0
 */
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

/**
 * The platform's own name for an application, `<cluster>:<namespace>:<app>`:
 * nais/doc (`docs/auth/entra-id/how-to/consume-m2m.md` and `consume-obo.md`,
 * 2026-07) names it as the Entra ID target and the `api://...` form as the
 * legacy one; the nais/texas source at b7b2193 forwards the target to Entra
 * ID unchanged, so it is Entra ID (where the platform registers the name)
 * that resolves it. The emulator resolves it to the same application.
 */
const platformName = /^([^\s:/]+):([^\s:/]+):([^\s:/]+)$/

/** The application ID URI a platform name stands for: `dev-gcp:team:app` is `api://dev-gcp.team.app`. */
export const entraApplicationUri = (target: string): string | undefined => {
  const match = platformName.exec(target.trim())
  return match === null ? undefined : `api://${match[1]}.${match[2]}.${match[3]}`
}

/** Entra ID's client credentials scope: exactly one `<resource>/.default` (or a platform name), any resource. */
const entraResource = (target: string): string | Decision => {
  const named = entraApplicationUri(target)
  if (named !== undefined) return named
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
  /** Whether Entra ID knows the application with this ID URI. */
  readonly isRegistered: (resource: string) => boolean
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

/**
 * Entra ID client credentials: `<resource>/.default`; the resource must exist
 * (`invalid_resource`, AADSTS500011) and let this application in
 * (`invalid_grant`, AADSTS501051: the codes nais/doc's Entra ID reference
 * names under "Missing application access policy"); `aud` is the resource.
 */
const entraId = (context: ProviderContext, request: DecodedTokenRequest): Decision => {
  const resource = entraResource(request.target)
  if (typeof resource !== "string") return resource
  const me = context.identity("entra_id")
  if (!context.isRegistered(resource)) {
    return rejected(400, "invalid_resource", `AADSTS500011: The resource principal named ${resource} was not found in the tenant named emulator-tenant.`)
  }
  // Granted under either name: the target as asked, or its `api://<...>/.default` form.
  if (!context.isGranted(request.target.trim()) && !context.isGranted(`${resource}/.default`)) {
    return rejected(400, "invalid_grant", `AADSTS501051: Application '${me.clientId}' (${me.clientId}) is not assigned to a role for the application '${resource}'.`)
  }
  return entraToken(me, resource, { sub: me.clientId, oid: me.clientId, tid: "emulator-tenant", idtyp: "app", roles: ["access_as_application"], azp_name: me.clientId })
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
    azp_name: context.identity("entra_id").clientId,
    ...(user["NAVident"] === undefined ? {} : { NAVident: user["NAVident"] }),
    ...(Array.isArray(user["groups"]) ? { groups: user["groups"] } : {}),
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

/** How a token names its caller's shaping options (`UserTokenOptions`), before the claims given as they are. */
export interface UserShape {
  readonly scope?: string | undefined
  readonly consumer?: string | undefined
  readonly acr?: string | undefined
  readonly groups?: ReadonlyArray<string> | undefined
  readonly roles?: ReadonlyArray<string> | undefined
  readonly clientId?: string | undefined
}

/**
 * The claims a login (or, for Maskinporten, a client) at `provider` puts in a
 * token, shaped as each provider's public docs and the platform's docs show
 * them, before the caller's own: Maskinporten `scope`, `consumer`,
 * `client_id`, `client_amr`; ID-porten `pid`, `acr`, `amr`, `locale`; TokenX
 * `pid`, `idp`, `acr`, `client_id`; Entra ID `oid`, `NAVident`, `groups`,
 * `roles`, `azp_name`, `idtyp`, `name`, `preferred_username`.
 */
export const userClaims = (context: ProviderContext, provider: IdentityProvider, subject: string, shape: UserShape = {}): Jose.JWTPayload => {
  const me = context.identity(provider)
  const base = { iss: me.issuer, aud: me.clientId, sub: subject }
  switch (provider) {
    case "maskinporten":
      return {
        ...base,
        scope: shape.scope ?? "nav:example/read",
        client_id: shape.clientId ?? "emulator-client",
        client_amr: "private_key_jwt",
        token_type: "Bearer",
        consumer: { authority: "iso6523-actorid-upis", ID: `0192:${shape.consumer ?? context.organisationNumber}` }
      }
    case "idporten":
      return { ...base, pid: "12345678910", acr: shape.acr ?? "idporten-loa-high", amr: ["BankID"], locale: "nb", client_id: shape.clientId ?? "emulator-frontend" }
    case "tokenx":
      return { ...base, pid: "12345678910", idp: context.identity("idporten").issuer, acr: shape.acr ?? "idporten-loa-high", client_id: shape.clientId ?? "dev-gcp:team:frontend" }
    case "entra_id": {
      const app = shape.roles !== undefined && shape.groups === undefined
      return {
        ...base,
        oid: subject,
        azp: "emulator-frontend",
        azp_name: shape.clientId ?? "dev-gcp:team:frontend",
        ver: "2.0",
        ...(app
          ? { idtyp: "app", roles: [...shape.roles!] }
          : {
            NAVident: "Z123456",
            name: "Emulated Employee",
            preferred_username: "emulated.employee@nav.no",
            groups: [...(shape.groups ?? [])],
            ...(shape.roles === undefined ? {} : { roles: [...shape.roles] })
          })
      }
    }
  }
}
