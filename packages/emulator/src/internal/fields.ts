/**
 * The sidecar's request fields, decoded as serde decodes them: each field's decoder and
 * message, and which fields each endpoint takes (`tokenRequestSpec` and its siblings). The
 * bodies around them are read in `protocol.ts`.
 */
import type { BodyEncoding } from "./protocol.js"

/** Every identity provider name the sidecar knows, in serde's declaration order. */
export const knownProviderNames = ["azuread", "entra_id", "tokenx", "maskinporten", "idporten"] as const

/** A provider after alias resolution: `azuread` is an alias of `entra_id`. */
export type ProviderId = "entra_id" | "tokenx" | "maskinporten" | "idporten"

// ---- serde-like field decoding ---------------------------------------------

export const jsonDataPrefix = "Failed to deserialize the JSON body into the target type: "
export const jsonSyntaxPrefix = "Failed to parse the request body as JSON: "
export const formPrefix = "Failed to deserialize form body: "

/** How serde names an unexpected JSON value in `invalid type: ...` messages. */
export const describeJsonValue = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return "sequence"
  switch (typeof value) {
    case "string":
      return `string ${JSON.stringify(value)}`
    case "boolean":
      return `boolean \`${value}\``
    case "number":
      return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``
    default:
      return "map"
  }
}

type FieldResult<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly message: string }

const ok = <A>(value: A): FieldResult<A> => ({ ok: true, value })
const fail = (message: string): FieldResult<never> => ({ ok: false, message })

const expectedProviders = knownProviderNames.map((name) => `\`${name}\``).join(", ")

const decodeProviderName = (name: string, field: string): FieldResult<ProviderId> => {
  switch (name) {
    case "azuread":
    case "entra_id":
      return ok("entra_id")
    case "tokenx":
    case "maskinporten":
    case "idporten":
      return ok(name)
    default:
      return fail(`${field}: unknown variant \`${name}\`, expected one of ${expectedProviders}`)
  }
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const decodeAuthorizationDetailsArray = (
  value: ReadonlyArray<unknown>
): ReadonlyArray<Record<string, unknown>> | undefined =>
  value.every(isPlainObject) ? (value as ReadonlyArray<Record<string, unknown>>) : undefined

/** `authorization_details` is an array of objects, or (in forms) a JSON string holding one. */
const decodeAuthorizationDetailsString = (
  text: string
): FieldResult<ReadonlyArray<Record<string, unknown>>> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    return fail(
      `authorization_details: failed to parse authorization_details JSON string: ${(error as Error).message}`
    )
  }
  if (!Array.isArray(parsed)) {
    return fail(
      `authorization_details: failed to parse authorization_details JSON string: invalid type: ${describeJsonValue(parsed)}, expected a sequence`
    )
  }
  const details = decodeAuthorizationDetailsArray(parsed)
  return details === undefined
    ? fail("authorization_details: failed to parse authorization_details JSON string: invalid type, expected a map")
    : ok(details)
}

/** Field names of a struct in declaration order: serde reports the first missing one. */
export const requiredFieldOrder = (names: ReadonlyArray<string>, present: ReadonlySet<string>): string | undefined =>
  names.find((name) => !present.has(name))

/** A field decoder: turns one JSON or form value into a typed value or serde's message. */
type FieldDecoder = (value: unknown, encoding: BodyEncoding) => FieldResult<unknown>

const stringField = (name: string, optional: boolean): FieldDecoder => (value) => {
  if (typeof value === "string") return ok(value)
  if (value === null && optional) return ok(undefined)
  return fail(`${name}: invalid type: ${describeJsonValue(value)}, expected a string`)
}

const providerField: FieldDecoder = (value) => {
  if (typeof value === "string") return decodeProviderName(value, "identity_provider")
  return fail(`identity_provider: invalid type: ${describeJsonValue(value)}, expected enum IdentityProvider`)
}

const booleanField = (name: string): FieldDecoder => (value, encoding) => {
  if (encoding === "form") {
    if (value === "true") return ok(true)
    if (value === "false") return ok(false)
    return fail(`${name}: provided string was not \`true\` or \`false\``)
  }
  if (typeof value === "boolean") return ok(value)
  if (value === null) return ok(undefined)
  return fail(`${name}: invalid type: ${describeJsonValue(value)}, expected a boolean`)
}

const authorizationDetailsField: FieldDecoder = (value) => {
  if (value === null) return ok(undefined)
  if (typeof value === "string") return decodeAuthorizationDetailsString(value)
  if (Array.isArray(value)) {
    const details = decodeAuthorizationDetailsArray(value)
    if (details !== undefined) return ok(details)
  }
  return fail("authorization_details: data did not match any variant of untagged enum RequestValue")
}

/** The shape of one request struct: its fields in declaration order and their decoders. */
export interface StructSpec {
  readonly name: string
  readonly fields: ReadonlyArray<readonly [field: string, decoder: FieldDecoder, required: boolean]>
}

/** `TokenRequest` as the sidecar declares it. */
export const tokenRequestSpec: StructSpec = {
  name: "TokenRequest",
  fields: [
    ["target", stringField("target", false), true],
    ["identity_provider", providerField, true],
    ["resource", stringField("resource", true), false],
    ["authorization_details", authorizationDetailsField, false],
    ["skip_cache", booleanField("skip_cache"), false]
  ]
}

/** `TokenExchangeRequest` as the sidecar declares it. */
export const exchangeRequestSpec: StructSpec = {
  name: "TokenExchangeRequest",
  fields: [
    ["target", stringField("target", false), true],
    ["identity_provider", providerField, true],
    ["user_token", stringField("user_token", false), true],
    ["skip_cache", booleanField("skip_cache"), false]
  ]
}

/** `IntrospectRequest` as the sidecar declares it. */
export const introspectRequestSpec: StructSpec = {
  name: "IntrospectRequest",
  fields: [
    ["token", stringField("token", false), true],
    ["identity_provider", providerField, true]
  ]
}

/** Where serde reports an error about each top-level field of a JSON body, as ` at line L column C`. */
