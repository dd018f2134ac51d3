/**
 * SHA-256 of a user's token, in hex: what the caches key users' tokens by, so
 * that no cache ever holds a token itself and two tokens never share an entry.
 */
import { createHash } from "node:crypto"

export const sha256Hex = (text: string): string => createHash("sha256").update(text).digest("hex")
