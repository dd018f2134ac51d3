/**
 * Digests for cache keys of users' tokens.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"

/**
 * SHA-256 of a user's token, in hex: what the caches key users' tokens by, so
 * that no cache ever holds a token itself and two tokens never share an entry.
 *
 * @example
 * ```ts
 * import { Digest } from "@effect-texas/protocol"
 *
 * console.log(Digest.sha256Hex("abc").length) // 64
 * ```
 *
 * @category Digests
 * @since 0.1.0
 */
export const sha256Hex = (text: string): string => createHash("sha256").update(text).digest("hex")
