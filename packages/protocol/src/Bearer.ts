/**
 * Bearer tokens in and out of headers (RFC 6750), shared by both lines'
 * inbound authentication.
 *
 * @since 0.1.0
 */

const bearerHeader = /^Bearer ([^\s]+)$/i

/**
 * The token of an `Authorization: Bearer <token>` header, if that is what it
 * is (one space, one token, nothing else).
 *
 * @example
 * ```ts
 * import { Bearer } from "@effect-texas/protocol"
 *
 * console.log(Bearer.tokenOf("Bearer abc"), Bearer.tokenOf("Basic  abc")) // abc undefined
 * ```
 *
 * @category Headers
 * @since 0.1.0
 */
export const tokenOf = (header: string | undefined): string | undefined => bearerHeader.exec(header ?? "")?.[1]

/**
 * The `WWW-Authenticate` challenge of a 401.
 *
 * @example
 * ```ts
 * import { Bearer } from "@effect-texas/protocol"
 *
 * console.log(Bearer.challenge("token is not active"))
 * ```
 *
 * @category Headers
 * @since 0.1.0
 */
export const challenge = (description: string): string => `Bearer error="invalid_token", error_description="${description}"`
