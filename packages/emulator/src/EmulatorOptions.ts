/**
 * What a Texas emulator is started with (`TexasEmulatorOptions`, per provider `ProviderOptions`) and
 * what a user token it signs carries (`UserTokenOptions`). Re-exported by `TexasEmulator`.
 *
 * @since 0.2.0
 */
import type { DurationInput } from "./Duration.js"
import type { IdentityProvider } from "./internal/providers.js"

/**
 * What the sidecar is configured with for one identity provider: the issuer
 * it trusts and the application's client id there, which is the audience it
 * requires of tokens from `entra_id`, `tokenx` and `idporten`.
 *
 * @category Models
 * @since 0.1.0
 */
export interface ProviderOptions {
  /** @default `<emulator url>/<provider>` (`/entra_id/v2.0` for Entra ID) */
  readonly issuer?: string | undefined
  /** @default the emulator's `clientId` */
  readonly clientId?: string | undefined
}

/**
 * Issuer and client id for each provider that should not have the defaults.
 *
 * @category Options
 * @since 0.1.0
 */
export interface ProvidersOptions {
  /** Maskinporten (no audience is required of its tokens). */
  readonly maskinporten?: ProviderOptions | undefined
  /** Entra ID (`azuread`). */
  readonly entra_id?: ProviderOptions | undefined
  /** TokenX. */
  readonly tokenx?: ProviderOptions | undefined
  /** ID-porten. */
  readonly idporten?: ProviderOptions | undefined
}

/**
 * The emulator's settings.
 *
 * @category Options
 * @since 0.1.0
 */
export interface TexasEmulatorOptions {
  /**
   * Port to listen on; `0` picks a free one.
   * @default 0
   */
  readonly port?: number | undefined
  /**
   * Interface to bind: a loopback address unless `allowNonLoopback` is set.
   * @default "127.0.0.1"
   */
  readonly host?: string | undefined
  /**
   * Let `host` be an address other than loopback, and answer requests
   * addressed to any host name (otherwise a `Host` that is not `localhost`,
   * `127.0.0.0/8` or `[::1]` gets `421`: a web page that rebinds its own name
   * to 127.0.0.1 cannot mint tokens). The emulator grants tokens to anyone
   * who asks: only for a network you trust.
   * @default false
   */
  readonly allowNonLoopback?: boolean | undefined
  /**
   * Lifetime of every token the emulated identity providers issue.
   * @default "1 hour"
   */
  readonly tokenLifetime?: DurationInput | undefined
  /**
   * The scopes (Maskinporten) and targets (Entra ID) the organisation has been
   * granted. A Maskinporten scope not granted gets `400 invalid_scope`; an
   * Entra ID target not granted gets `400 invalid_grant` with `AADSTS501051`
   * ("not assigned to a role"), as Entra ID answers when the target's
   * `accessPolicy.inbound.rules` do not name the caller (nais/doc
   * `docs/auth/entra-id/reference/README.md`, "Missing application access
   * policy"). Undefined grants everything.
   * @default undefined
   */
  readonly grantedScopes?: ReadonlyArray<string> | undefined
  /**
   * The applications registered in Entra ID, by application ID URI
   * (`api://dev-gcp.team.accounts`). A target naming any other resource gets
   * `400 invalid_resource` with `AADSTS500011` ("resource principal ... not
   * found in the tenant"), as Entra ID answers for an application that does
   * not exist. Undefined: every resource exists.
   * @default undefined
   */
  readonly entraIdApplications?: ReadonlyArray<string> | undefined
  /**
   * Identity providers enabled for the application, as in its manifest. For
   * the others the token and exchange endpoints answer `400` and
   * introspection answers `200 {"active":false}`, both with `identity
   * provider '...' is not enabled`.
   * @default all four
   */
  readonly enabledProviders?: ReadonlyArray<IdentityProvider> | undefined
  /** Issuer and client id per provider, as the sidecar is configured with them. */
  readonly providers?: ProvidersOptions | undefined
  /**
   * Time the emulated identity provider takes to issue a token on a cache miss.
   * @default 0
   */
  readonly upstreamLatency?: DurationInput | undefined
  /**
   * The application's client id at every provider that `providers` does not
   * name otherwise: put in `client_id` / `azp`, and the audience the sidecar
   * requires when it introspects a token.
   * @default "dev-gcp:team:app"
   */
  readonly clientId?: string | undefined
  /**
   * The consumer organisation's number, put in Maskinporten's `consumer` claim.
   * @default "889640782"
   */
  readonly organisationNumber?: string | undefined
  /**
   * How many requests `requests()` and tokens `issuedTokens()` keep (the most
   * recent); counters in `stats()` count them all. Bounds memory in load and
   * soak runs.
   * @default 10000
   */
  readonly requestLogLimit?: number | undefined
  /**
   * Entries the sidecar cache holds at most; the oldest goes first.
   * @default 10000
   */
  readonly cacheLimit?: number | undefined
  /**
   * The sidecar's start-up: for this long after `startTexasEmulator`
   * resolves (its URL is known at once), the port refuses connections, as
   * the sidecar opens none until it has loaded its providers' metadata and
   * keys (nais/texas `src/http/server.rs`: state first, then the listeners).
   * @default 0
   */
  readonly startupDelay?: DurationInput | undefined
  /**
   * Also serve the sidecar's probe listener (`PROBE_BIND_ADDRESS`): `GET /`
   * and `/healthz` answer `200 ok` on this port (0 picks a free one), once
   * started, like the API's port. Undefined: no probe listener.
   * @default undefined
   */
  readonly probePort?: number | undefined
}

/**
 * A user's token for `issueUserToken`: what a login at `provider` would have
 * given the user, for an application to receive and exchange or introspect.
 *
 * @category Models
 * @since 0.1.0
 */
export interface UserTokenOptions {
  /** The identity provider that "logged the user in". */
  readonly provider: IdentityProvider
  /** @default a random id */
  readonly subject?: string | undefined
  /**
   * The audience: the application the token was issued to.
   * @default the emulator's `clientId`
   */
  readonly audience?: string | undefined
  /**
   * Lifetime from now; negative (`"-5 minutes"`, or milliseconds such as
   * `-300_000`) for a token that has already expired.
   * @default "1 hour"
   */
  readonly expiresIn?: DurationInput | undefined
  /** Maskinporten: the token's `scope` (space-separated). @default "nav:example/read" */
  readonly scope?: string | undefined
  /** Maskinporten: the consumer organisation number (`consumer.ID` `0192:<it>`). @default the emulator's `organisationNumber` */
  readonly consumer?: string | undefined
  /** ID-porten, TokenX: the level of assurance. @default "idporten-loa-high" */
  readonly acr?: "idporten-loa-substantial" | "idporten-loa-high" | undefined
  /** Entra ID: the user's group object ids. @default [] */
  readonly groups?: ReadonlyArray<string> | undefined
  /** Entra ID: app roles; with roles and no groups the token is an application's (`idtyp: app`). */
  readonly roles?: ReadonlyArray<string> | undefined
  /** The calling application: TokenX and ID-porten `client_id`, Entra ID `azp_name`, Maskinporten `client_id`. */
  readonly clientId?: string | undefined
  /**
   * Further claims, e.g. `{ pid: "12345678910" }` or `{ NAVident: "Z123456" }`.
   * They go last, so they can also replace `iat`, `nbf`, `exp` or `iss`, or
   * leave one out (`{ iss: undefined }`), for tests of what introspection refuses.
   */
  readonly claims?: Readonly<Record<string, unknown>> | undefined
}
