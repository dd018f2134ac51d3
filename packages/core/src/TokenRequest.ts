/**
 * What to ask the token endpoint for: an identity provider, the scope(s) and
 * optionally an audience (`resource`) and rich authorization details.
 *
 * @since 0.1.0
 */

// ---- Models ------------------------------------------------------------------

/**
 * Identity providers that issue machine-to-machine tokens. `azuread` is the
 * older name of `entra_id`; both reach the same provider and share cached tokens.
 *
 * @category Models
 * @since 0.1.0
 */
export type IdentityProvider = "maskinporten" | "entra_id" | "azuread"

/**
 * A request for a machine-to-machine token.
 *
 * @example
 * ```ts
 * import type { TokenRequest } from "@effect-texas/core"
 *
 * const skatt: TokenRequest = {
 *   identityProvider: "maskinporten",
 *   target: ["skatt:some.scope", "nav:other/scope"],
 *   resource: "https://api.example.com/"
 * }
 * ```
 *
 * @category Models
 * @since 0.1.0
 */
export interface TokenRequest {
  readonly identityProvider: IdentityProvider
  /**
   * The scope(s): one string (scopes separated by whitespace) or a list, sent
   * as one space-separated `target`. For Entra ID: `api://cluster.namespace.app/.default`.
   */
  readonly target: string | ReadonlyArray<string>
  /**
   * Audience for an audience-restricted token (RFC 8707), usually a URL agreed
   * with the API provider. Forwarded as given, as the sidecar does; only an
   * empty value or one with control characters is refused.
   */
  readonly resource?: string | undefined
  /** Rich authorization request (RFC 9396), e.g. an Altinn system user; forwarded as is. */
  readonly authorizationDetails?: ReadonlyArray<Record<string, unknown>> | undefined
  /**
   * Bypass every cache (this client's and the sidecar's) and replace the cached
   * token with a fresh one. Only for when an API rejects a token.
   * @default false
   */
  readonly skipCache?: boolean | undefined
}

/**
 * How the request body is encoded. Both are part of the protocol.
 *
 * @category Models
 * @since 0.1.0
 */
export type RequestEncoding = "json" | "form"
