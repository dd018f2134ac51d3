/**
 * Who may call, per identity provider: the `require` option of
 * `requireUser` and `Authentication`, and the error a policy that cannot be
 * one fails with. The rules themselves are `@effect-texas/protocol`'s
 * `Access`, shared with the Effect 3 line.
 *
 * @since 1.0.0
 */
import type { Claims, IntrospectRequest } from "@effect-texas/core"
import { Access, Messages } from "@effect-texas/protocol"
import * as Data from "effect/Data"
import * as Result from "effect/Result"

/**
 * Which provider's tokens are accepted, and what a caller must have beyond an
 * active token. `require` is required for `maskinporten` (with `scopes`): the
 * sidecar checks no audience for Maskinporten tokens, so without it any
 * organisation's token for any API would be let in.
 *
 * @example
 * ```ts
 * import type { AccessOptions } from "@effect-texas/http-server"
 *
 * const partners: AccessOptions = {
 *   identityProvider: "maskinporten",
 *   require: { scopes: ["nav:api/read"], consumers: ["889640782"] }
 * }
 * const citizens: AccessOptions = { identityProvider: "idporten", require: { acr: "idporten-loa-high" } }
 * ```
 *
 * @category Options
 * @since 1.0.0
 */
export type AccessOptions = Access.Options<Claims>

/**
 * A `require` that cannot be a policy (Maskinporten without `scopes`, a
 * consumer that is no organisation number, an option the provider's tokens do
 * not have): from callers the types did not stop.
 *
 * @example
 * ```ts
 * import { InvalidPolicy } from "@effect-texas/http-server"
 *
 * const error = new InvalidPolicy({ identityProvider: "maskinporten", reason: "require.scopes is required" })
 * ```
 *
 * @category Errors
 * @since 1.0.0
 */
export class InvalidPolicy extends Data.TaggedError("InvalidPolicy")<{
  readonly identityProvider: string
  readonly reason: string
}> {
  override get message(): string {
    return Messages.invalidAccessPolicy(this)
  }
}

/**
 * The checked policy of `options`, or why it is not one.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { AccessPolicy } from "@effect-texas/http-server"
 *
 * const policy = AccessPolicy.make({ identityProvider: "maskinporten", require: { scopes: ["nav:api/read"] } })
 * console.log(Result.isSuccess(policy)) // true
 * ```
 *
 * @category Constructors
 * @since 1.0.0
 */
export const make = (options: AccessOptions): Result.Result<Access.Policy<Claims>, InvalidPolicy> => {
  const provider: IntrospectRequest["identityProvider"] = options.identityProvider
  const compiled = Access.fromOptions<Claims>(options)
  return compiled._tag === "Policy"
    ? Result.succeed(compiled)
    : Result.fail(new InvalidPolicy({ identityProvider: String(provider), reason: compiled.reason }))
}
