/**
 * The emulator's signing key: one RS256 key pair per emulator, published as a JWKS.
 */
import { randomUUID } from "node:crypto"
import * as Jose from "jose"

/** Signs access tokens and publishes the public half of its key. */
export interface Signer {
  readonly jwks: Jose.JSONWebKeySet
  readonly sign: (claims: Jose.JWTPayload) => Promise<string>
}

/** Generates a fresh RS256 key pair; tokens carry its `kid` so verifiers can pick the key. */
export const makeSigner = async (): Promise<Signer> => {
  const { privateKey, publicKey } = await Jose.generateKeyPair("RS256", { extractable: true })
  const kid = randomUUID()
  const publicJwk = { ...(await Jose.exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }
  return {
    jwks: { keys: [publicJwk] },
    sign: (claims) => new Jose.SignJWT(claims).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).sign(privateKey)
  }
}
