/**
 * The emulated identity providers' signing keys: one RS256 key pair each,
 * with the provider's name as `kid` (as the sidecar's own test set-up has
 * them), so a token is checked only against the keys of the provider it is
 * introspected for, as the sidecar does with each provider's JWKS.
 *
 * The pairs are made once per process and shared by every emulator in it, as
 * every sidecar of an environment trusts the same identity providers: RSA key
 * generation costs about 300 ms of CPU a key, which made each emulator's start
 * cost over a second. Emulators still tell their tokens apart by issuer (each
 * has its own address in it) and audience.
 */
import * as Jose from "jose"
import type { IdentityProvider } from "./providers.js"
import { allProviders } from "./providers.js"

/** One provider's key pair and its published public half. */
interface ProviderKey {
  readonly privateKey: Jose.CryptoKey
  readonly publicKey: Jose.CryptoKey
  readonly jwk: Jose.JWK
}

/** Signs as each provider and publishes their keys. */
export interface Keys {
  /** Every provider's public key. */
  readonly jwks: Jose.JSONWebKeySet
  readonly jwksOf: (provider: IdentityProvider) => Jose.JSONWebKeySet
  /** `kid` to public key, for one provider. */
  readonly keysOf: (provider: IdentityProvider) => ReadonlyMap<string, Jose.CryptoKey>
  /** The provider whose key has this `kid`, if any. */
  readonly providerOfKid: (kid: unknown) => IdentityProvider | undefined
  readonly sign: (provider: IdentityProvider, claims: Jose.JWTPayload) => Promise<string>
}

const makeKey = async (kid: string): Promise<ProviderKey> => {
  const { privateKey, publicKey } = await Jose.generateKeyPair("RS256", { extractable: true })
  return { privateKey, publicKey, jwk: { ...(await Jose.exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } }
}

let processKeys: Promise<ReadonlyArray<readonly [IdentityProvider, ProviderKey]>> | undefined

/** The four key pairs, generated on first use (in parallel: RSA key generation runs on libuv's pool). */
const providerKeys = () =>
  (processKeys ??= Promise.all(allProviders.map(async (provider) => [provider, await makeKey(provider)] as const)))

/** The providers' keys: this process's four key pairs. */
export const makeKeys = async (): Promise<Keys> => {
  const pairs = await providerKeys()
  const byProvider = new Map<IdentityProvider, ProviderKey>(pairs)
  const keyOf = (provider: IdentityProvider): ProviderKey => byProvider.get(provider)!
  const keyMaps = new Map(allProviders.map((provider) => [provider, new Map([[provider as string, keyOf(provider).publicKey]])]))
  return {
    jwks: { keys: allProviders.map((provider) => keyOf(provider).jwk) },
    jwksOf: (provider) => ({ keys: [keyOf(provider).jwk] }),
    keysOf: (provider) => keyMaps.get(provider)!,
    providerOfKid: (kid) => allProviders.find((provider) => provider === kid),
    sign: (provider, claims) =>
      new Jose.SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: provider, typ: "JWT" }).sign(keyOf(provider).privateKey)
  }
}
