/**
 * Decoding of token endpoint requests the way the real sidecar decodes them.
 *
 * The sidecar is an axum server that deserialises bodies with serde, so its
 * error texts are serde's and axum's. We reproduce their wording, for JSON
 * with serde's `at line L column C` (read off the body's syntax tree), so that
 * an application sees the same answers from the emulator as from a real
 * deployment. JSON syntax errors keep the JavaScript parser's wording.
 */
import * as Momoa from "@humanwhocodes/momoa"
import {
  describeJsonValue,
  exchangeRequestSpec,
  formPrefix,
  introspectRequestSpec,
  isPlainObject,
  jsonDataPrefix,
  jsonSyntaxPrefix,
  type ProviderId,
  requiredFieldOrder,
  type StructSpec,
  tokenRequestSpec
} from "./fields.js"

export { exchangeRequestSpec, introspectRequestSpec, type ProviderId, type StructSpec, tokenRequestSpec }


/** The sidecar's default request body limit (axum's `DefaultBodyLimit`, 2 MiB). */
export const bodyLimitBytes = 2 * 1024 * 1024

/** An RFC 6749 error answer: status plus `{ error, error_description }`. */
export interface OAuthErrorAnswer {
  readonly status: number
  readonly error: string
  readonly description: string
}

/** A decoded `POST /api/v1/token` body. */
export interface DecodedTokenRequest {
  readonly identityProvider: ProviderId
  readonly target: string
  readonly resource: string | undefined
  readonly authorizationDetails: ReadonlyArray<Record<string, unknown>> | undefined
  readonly skipCache: boolean
}

/** The outcome of decoding: the request, or the 400 the sidecar answers. */
export type Decoded<A> =
  | { readonly _tag: "Ok"; readonly value: A; readonly fields: Record<string, unknown> }
  | { readonly _tag: "Invalid"; readonly answer: OAuthErrorAnswer }

const invalidRequest = (description: string): OAuthErrorAnswer => ({
  status: 400,
  error: "invalid_request",
  description
})

const invalid = (description: string): Decoded<never> => ({ _tag: "Invalid", answer: invalidRequest(description) })

/** The 400 for a body that is larger than the sidecar buffers. */
export const bodyTooLarge: OAuthErrorAnswer = invalidRequest(
  "Failed to buffer the request body: length limit exceeded"
)

// ---- media types -----------------------------------------------------------

/** Which decoder a `Content-Type` selects; the sidecar matches by case-sensitive prefix. */
export type BodyEncoding = "json" | "form"

/**
 * Picks the body decoder for a content type, or the sidecar's 400 answer.
 *
 * The JSON extractor additionally insists that the media type really is JSON
 * (`application/json` or a `+json` suffix), so `application/jsonx` passes the
 * prefix test and still fails.
 */
const selectEncoding = (
  contentType: string | undefined
): { readonly _tag: "Ok"; readonly encoding: BodyEncoding } | { readonly _tag: "Invalid"; readonly answer: OAuthErrorAnswer } => {
  if (contentType !== undefined) {
    if (contentType.startsWith("application/json")) {
      const essence = contentType.split(";")[0]!.trim().toLowerCase()
      if (essence === "application/json" || essence.endsWith("+json")) return { _tag: "Ok", encoding: "json" }
      return { _tag: "Invalid", answer: invalidRequest("Expected request with `Content-Type: application/json`") }
    }
    if (contentType.startsWith("application/x-www-form-urlencoded")) return { _tag: "Ok", encoding: "form" }
  }
  return {
    _tag: "Invalid",
    answer: invalidRequest(
      `unsupported media type: ${contentType ?? ""}: expected one of \`application/json\`, \`application/x-www-form-urlencoded\``
    )
  }
}

interface JsonLayout {
  readonly fields: ReadonlyMap<string, { readonly keyEnd: string; readonly valueEnd: string; readonly beforeValue: string }>
  /** After the closing brace: where `missing field` is reported. */
  readonly objectEnd: string
  /** Top-level keys given again, with where (serde refuses a struct field given twice). */
  readonly duplicates: ReadonlyArray<readonly [name: string, keyEnd: string]>
  /** The body was a JSON array (serde's sequence form of a struct): errors name the element, `[1]: ...`. */
  readonly sequence?: boolean
}

/** serde_json's position of the character at `index`: 1-based line, column counted from the line's start. */
const positionAt = (text: string, index: number): string => {
  let line = 1
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) line++
  return ` at line ${line} column ${index - text.lastIndexOf("\n", index - 1)}`
}

/** The positions of a JSON object's top-level fields (momoa's offsets: start inclusive, end exclusive). */
const jsonLayout = (body: string): JsonLayout => {
  const document = Momoa.parse(body)
  const object = document.body as Momoa.ObjectNode
  const fields = new Map<string, { keyEnd: string; valueEnd: string; beforeValue: string }>()
  const duplicates: Array<readonly [string, string]> = []
  for (const member of object.members) {
    const name = member.name.type === "String" ? member.name.value : member.name.name
    const value = member.value
    // serde consumes a scalar before judging it, but only peeks at the `[` or `{` of a container.
    const container = value.type === "Array" || value.type === "Object"
    const position = {
      keyEnd: positionAt(body, member.name.loc.end.offset - 1),
      valueEnd: positionAt(body, value.loc.end.offset - 1),
      beforeValue: positionAt(body, value.loc.start.offset - (container ? 1 : 0))
    }
    if (fields.has(name)) duplicates.push([name, position.keyEnd])
    else fields.set(name, position)
  }
  return { fields, objectEnd: positionAt(body, object.loc.end.offset - 1), duplicates }
}

/**
 * A struct given as a JSON array, serde's sequence form (nais/texas decodes
 * its requests with serde, so `["scope","maskinporten",null,null,null]` is a
 * token request): the fields in declaration order, every one present (no
 * field has `#[serde(default)]`), nothing after them.
 */
const readSequence = (
  body: string,
  elements: ReadonlyArray<unknown>,
  spec: StructSpec
): { readonly _tag: "Ok"; readonly fields: Record<string, unknown>; readonly layout: JsonLayout } | { readonly _tag: "Invalid"; readonly answer: OAuthErrorAnswer } => {
  const array = Momoa.parse(body).body as Momoa.ArrayNode
  const count = spec.fields.length
  if (elements.length < count) {
    // serde_json reports where it peeked for the next element: the closing bracket.
    const where = positionAt(body, array.loc.end.offset - 1)
    return { _tag: "Invalid", answer: invalidRequest(`${jsonDataPrefix}invalid length ${elements.length}, expected struct ${spec.name} with ${count} element${count === 1 ? "" : "s"}${where}`) }
  }
  if (elements.length > count) {
    // Past the last field serde_json expects `]`: the next element is trailing characters (a syntax error).
    return { _tag: "Invalid", answer: invalidRequest(`${jsonSyntaxPrefix}trailing characters${positionAt(body, array.elements[count]!.value.loc.start.offset)}`) }
  }
  const fields: Record<string, unknown> = {}
  const positions = new Map<string, { keyEnd: string; valueEnd: string; beforeValue: string }>()
  spec.fields.forEach(([name], index) => {
    const value = array.elements[index]!.value
    const container = value.type === "Array" || value.type === "Object"
    fields[name] = elements[index]
    positions.set(name, {
      keyEnd: positionAt(body, value.loc.start.offset),
      valueEnd: positionAt(body, value.loc.end.offset - 1),
      beforeValue: positionAt(body, value.loc.start.offset - (container ? 1 : 0))
    })
  })
  return { _tag: "Ok", fields, layout: { fields: positions, objectEnd: positionAt(body, array.loc.end.offset - 1), duplicates: [], sequence: true } }
}

/** Reads a body into raw fields: a JSON object, or form pairs (duplicates are an error, as in serde). */
const readFields = (
  body: string,
  encoding: BodyEncoding,
  spec: StructSpec
):
  | { readonly _tag: "Ok"; readonly fields: Record<string, unknown>; readonly layout?: JsonLayout }
  | { readonly _tag: "Invalid"; readonly answer: OAuthErrorAnswer } => {
  if (encoding === "json") {
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch (error) {
      return { _tag: "Invalid", answer: invalidRequest(jsonSyntaxPrefix + (error as Error).message) }
    }
    if (Array.isArray(parsed)) return readSequence(body, parsed, spec)
    if (!isPlainObject(parsed)) {
      return {
        _tag: "Invalid",
        answer: invalidRequest(`${jsonDataPrefix}invalid type: ${describeJsonValue(parsed)}, expected struct ${spec.name}`)
      }
    }
    const layout = jsonLayout(body)
    const known = new Set(spec.fields.map(([name]) => name))
    const duplicate = layout.duplicates.find(([name]) => known.has(name))
    if (duplicate !== undefined) {
      return { _tag: "Invalid", answer: invalidRequest(`${jsonDataPrefix}duplicate field \`${duplicate[0]}\`${duplicate[1]}`) }
    }
    return { _tag: "Ok", fields: parsed, layout }
  }
  const fields: Record<string, unknown> = {}
  const known = new Set(spec.fields.map(([name]) => name))
  for (const [key, value] of new URLSearchParams(body)) {
    if (known.has(key) && Object.hasOwn(fields, key)) {
      return { _tag: "Invalid", answer: invalidRequest(`${formPrefix}duplicate field \`${key}\``) }
    }
    fields[key] = value
  }
  return { _tag: "Ok", fields }
}

/**
 * Decodes a body against a struct spec: fields are checked in the order they
 * appear in the body (as serde visits them), then missing required fields in
 * declaration order. Unknown fields are ignored, as serde does by default.
 */
const decodeStruct = (
  body: string,
  encoding: BodyEncoding,
  spec: StructSpec
): Decoded<Record<string, unknown>> => {
  const read = readFields(body, encoding, spec)
  if (read._tag === "Invalid") return read
  const prefix = encoding === "json" ? jsonDataPrefix : formPrefix
  const decoders = new Map(spec.fields.map(([name, decoder]) => [name, decoder] as const))
  const values: Record<string, unknown> = {}
  const layout = read.layout
  for (const [key, raw] of Object.entries(read.fields)) {
    const decoder = decoders.get(key)
    if (decoder === undefined) continue
    const result = decoder(raw, encoding)
    if (!result.ok) {
      const at = layout?.fields.get(key)
      const where = at === undefined ? "" : typeof raw === "object" && raw !== null && key !== "authorization_details" ? at.beforeValue : at.valueEnd
      // In the sequence form serde_path_to_error names the element by its index, not the field by its name.
      const index = spec.fields.findIndex(([name]) => name === key)
      const message = layout?.sequence === true ? result.message.replace(`${key}: `, `[${index}]: `) : result.message
      return invalid(prefix + message + where)
    }
    values[key] = result.value
  }
  const present = new Set(Object.keys(read.fields))
  const missing = requiredFieldOrder(
    spec.fields.filter(([, , required]) => required).map(([name]) => name),
    present
  )
  if (missing !== undefined) return invalid(`${prefix}missing field \`${missing}\`${layout?.objectEnd ?? ""}`)
  return { _tag: "Ok", value: values, fields: read.fields }
}

/** Decodes a body sent with `contentType`: the media type first (the 400 for a wrong one), then the fields. */
export const decodeBody = (
  body: string,
  contentType: string | undefined,
  spec: StructSpec
): Decoded<Record<string, unknown>> => {
  const encoding = selectEncoding(contentType)
  return encoding._tag === "Invalid" ? encoding : decodeStruct(body, encoding.encoding, spec)
}

/** Decodes a `POST /api/v1/token` body. */
export const decodeTokenRequest = (body: string, contentType: string | undefined): Decoded<DecodedTokenRequest> => {
  const decoded = decodeBody(body, contentType, tokenRequestSpec)
  if (decoded._tag === "Invalid") return decoded
  const v = decoded.value
  return {
    _tag: "Ok",
    fields: decoded.fields,
    value: {
      identityProvider: v["identity_provider"] as ProviderId,
      target: v["target"] as string,
      resource: v["resource"] as string | undefined,
      authorizationDetails: v["authorization_details"] as ReadonlyArray<Record<string, unknown>> | undefined,
      skipCache: v["skip_cache"] === true
    }
  }
}
