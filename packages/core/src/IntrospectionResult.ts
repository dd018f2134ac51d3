/**
 * What introspection says of a token: `Active` with its claims, typed (`Claims`, a schema of the
 * claims the SDK knows, any other passing as it is), or `Inactive` with the sidecar's reason.
 *
 * @since 0.2.0
 */
import * as Data from "effect/Data"
import * as Schema from "effect/Schema"
/** An organisation in a Maskinporten token (`consumer`, `supplier`): `ID` is `0192:<orgno>`. */
const Organisation = Schema.Struct(
  { authority: Schema.optional(Schema.String), ID: Schema.String },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)


/**
 * The claims an introspection answer carries: the common ones typed, every
 * other claim kept as it came.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Claims } from "@effect-texas/core"
 *
 * const claims = Schema.decodeUnknownSync(Claims)({ sub: "user-a", pid: "12345678910", custom: true })
 * ```
 *
 * @category Models
 * @since 0.1.0
 */
export const Claims = Schema.Struct(
  {
    /** The issuer: one string, or (jsonwebtoken accepts it, so the sidecar does) a list that holds it. */
    iss: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String))),
    sub: Schema.optional(Schema.String),
    aud: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String))),
    exp: Schema.optional(Schema.Number),
    iat: Schema.optional(Schema.Number),
    nbf: Schema.optional(Schema.Number),
    jti: Schema.optional(Schema.String),
    azp: Schema.optional(Schema.String),
    client_id: Schema.optional(Schema.String),
    scope: Schema.optional(Schema.String),
    /** ID-porten and TokenX: the person's national identity number. */
    pid: Schema.optional(Schema.String),
    acr: Schema.optional(Schema.String),
    /** TokenX: the issuer of the token that was exchanged. */
    idp: Schema.optional(Schema.String),
    /** Entra ID: the employee's NAV ident. */
    NAVident: Schema.optional(Schema.String),
    /** Maskinporten: the organisation the token was issued to (`ID`: `0192:<orgno>`). */
    consumer: Schema.optional(Organisation),
    /** Maskinporten: the organisation acting for the consumer, when one does. */
    supplier: Schema.optional(Organisation),
    /** Maskinporten: how the client authenticated (`private_key_jwt`, `virksomhetssertifikat`). */
    client_amr: Schema.optional(Schema.String),
    /** ID-porten: how the person logged in (`BankID`, `MinID`, ...). */
    amr: Schema.optional(Schema.Array(Schema.String)),
    locale: Schema.optional(Schema.String),
    /** Entra ID: the object id of the user or application. */
    oid: Schema.optional(Schema.String),
    /** Entra ID: the object ids of the user's groups. */
    groups: Schema.optional(Schema.Array(Schema.String)),
    /** Entra ID: app roles (machine callers, `idtyp: app`). */
    roles: Schema.optional(Schema.Array(Schema.String)),
    /** Entra ID: the calling application, `cluster:namespace:app`. */
    azp_name: Schema.optional(Schema.String),
    /** Entra ID: `app` for an application's own token. */
    idtyp: Schema.optional(Schema.String),
    name: Schema.optional(Schema.String),
    preferred_username: Schema.optional(Schema.String)
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * The decoded claims: the common ones typed, the rest as `unknown`.
 *
 * @category Models
 * @since 0.1.0
 */
export type Claims = typeof Claims.Type

/**
 * The token is valid: its claims.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { TokenIntrospection } from "@effect-texas/core"
 *
 * const subject = (token: string) =>
 *   Effect.flatMap(TokenIntrospection, (introspection) =>
 *     introspection.introspect({ identityProvider: "tokenx", token: Redacted.make(token) })).pipe(
 *     Effect.map((result) => (result._tag === "Active" ? result.claims.sub : undefined))
 *   )
 * ```
 *
 * @category Models
 * @since 0.1.0
 */
export class Active extends Data.TaggedClass("Active")<{ readonly claims: Claims }> {}

/**
 * The token is not valid (expired, tampered with, from another issuer, ...):
 * the sidecar's reason, which never holds the token.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { TokenIntrospection } from "@effect-texas/core"
 *
 * const whyNot = (token: string) =>
 *   Effect.flatMap(TokenIntrospection, (introspection) =>
 *     introspection.introspect({ identityProvider: "idporten", token: Redacted.make(token) })).pipe(
 *     Effect.map((result) => (result._tag === "Inactive" ? result.reason : "active"))
 *   )
 * ```
 *
 * @category Models
 * @since 0.1.0
 */
export class Inactive extends Data.TaggedClass("Inactive")<{ readonly reason: string }> {}

/**
 * What an introspection found.
 *
 * @category Models
 * @since 0.1.0
 */
export type IntrospectionResult = Active | Inactive
