/**
 * A token as the emulator's log and page show it: a short fingerprint that tells two tokens
 * apart, and its decoded claims; never the token itself.
 */
import { createHash } from "node:crypto"
import * as Jose from "jose"
import type { SeenToken } from "../EmulatorLog.js"

/** A short, stable name for a token: the first 12 hex digits of its SHA-256. */
export const fingerprint = (token: string): string => `sha256:${createHash("sha256").update(token).digest("hex").slice(0, 12)}`

/** The claims a JWT carries, unverified; undefined for what is not a JWT. */
const claimsOf = (token: string): Readonly<Record<string, unknown>> | undefined => {
  try {
    return Jose.decodeJwt(token)
  } catch {
    return undefined
  }
}

/** `token` as the log keeps it. */
export const seen = (role: SeenToken["role"], token: string): SeenToken => ({ role, fingerprint: fingerprint(token), claims: claimsOf(token) })
