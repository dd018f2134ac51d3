/**
 * What to ask the token endpoint for.
 *
 * @since 1.0.0
 */

/**
 * Identity providers that issue machine-to-machine tokens; `azuread` is the
 * older name of `entra_id`.
 *
 * @category Models
 * @since 1.0.0
 */
export type IdentityProvider = "maskinporten" | "entra_id" | "azuread"

/**
 * A request for a machine token.
 *
 * @category Models
 * @since 1.0.0
 */
export interface TokenRequest {
  readonly identityProvider: IdentityProvider
  /** The scope(s): one string (separated by whitespace) or a list. Entra ID: `api://cluster.namespace.app/.default`. */
  readonly target: string | ReadonlyArray<string>
  /** Audience for an audience-restricted token (RFC 8707); forwarded as given. */
  readonly resource?: string | undefined
  /** Rich authorization request (RFC 9396), e.g. an Altinn system user; forwarded as is. */
  readonly authorizationDetails?: ReadonlyArray<Record<string, unknown>> | undefined
  /** Past every cache (this client's and the sidecar's): only for when an API rejects a token. */
  readonly skipCache?: boolean | undefined
}

/**
 * How request bodies are encoded.
 *
 * @category Models
 * @since 1.0.0
 */
export type RequestEncoding = "json" | "form"
