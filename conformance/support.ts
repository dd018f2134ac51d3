/**
 * Plain HTTP against the emulator, as the sidecar's own integration tests talk
 * to Texas (nais/texas tests/integration/helpers/http.rs): JSON or form bodies,
 * and the answer's status and JSON. No SDK code.
 */
import type { TexasEmulatorHandle } from "@effect-texas/testkit"
import * as Jose from "jose"

export type Format = "json" | "form"

export interface Answer {
  readonly status: number
  readonly contentType: string | null
  readonly body: Record<string, unknown>
}

export const paths = { token: "/api/v1/token", exchange: "/api/v1/token/exchange", introspect: "/api/v1/introspect" } as const

/** `post_request`: JSON via `JSON.stringify` (serde_json's `json!` sorts keys, so callers give them sorted), form via URLSearchParams. */
export const post = async (
  emulator: TexasEmulatorHandle,
  path: string,
  fields: Record<string, unknown>,
  format: Format = "json"
): Promise<Answer> => {
  const form = new URLSearchParams()
  for (const [name, value] of Object.entries(fields)) form.append(name, typeof value === "string" ? value : JSON.stringify(value))
  const response = await fetch(`${emulator.url}${path}`, {
    method: "POST",
    headers: {
      accept: "application/json",
      "content-type": format === "json" ? "application/json" : "application/x-www-form-urlencoded"
    },
    body: format === "json" ? JSON.stringify(fields) : form.toString()
  })
  return { status: response.status, contentType: response.headers.get("content-type"), body: await response.json() as Record<string, unknown> }
}

/** A raw body with any content type (or none). */
export const postRaw = async (emulator: TexasEmulatorHandle, path: string, contentType: string | undefined, body: string): Promise<Answer> => {
  const headers: Record<string, string> = contentType === undefined ? {} : { "content-type": contentType }
  const response = await fetch(`${emulator.url}${path}`, { method: "POST", headers, body: Buffer.from(body) })
  return { status: response.status, contentType: response.headers.get("content-type"), body: await response.json() as Record<string, unknown> }
}

/** `test_happy_path_token`: 200, `expires_in > 0`, a token. */
export const happyToken = async (emulator: TexasEmulatorHandle, fields: Record<string, unknown>, format: Format = "json", path: string = paths.token) => {
  const answer = await post(emulator, path, fields, format)
  if (answer.status !== 200) throw new Error(`expected 200, got ${answer.status}: ${JSON.stringify(answer.body)}`)
  const { access_token, expires_in, token_type } = answer.body as { access_token: string; expires_in: number; token_type: string }
  if (!(expires_in > 0) || access_token.length === 0 || token_type !== "Bearer") throw new Error(`not a token answer: ${JSON.stringify(answer.body)}`)
  return { accessToken: access_token, expiresIn: expires_in }
}

export const nowSeconds = (emulator: TexasEmulatorHandle) => Math.floor(emulator.now() / 1000)

/** A token signed by a key the emulator does not know, with the given `kid` (or none). */
export const foreignToken = async (claims: Jose.JWTPayload, kid: string | undefined) => {
  const { privateKey } = await Jose.generateKeyPair("RS256")
  return new Jose.SignJWT(claims).setProtectedHeader(kid === undefined ? { alg: "RS256" } : { alg: "RS256", kid }).sign(privateKey)
}
