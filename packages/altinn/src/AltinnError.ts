/**
 * The errors of the Altinn package besides the SDK's own `TokenError`s
 * (which the exchange fails with: a refused exchange is a
 * `TokenEndpointError` with its status and `identityProvider: "altinn"`).
 *
 * @since 0.1.0
 */
import { Messages } from "@effect-texas/protocol"
import * as Data from "effect/Data"

/**
 * An organisation number that is not one: not nine digits, or a wrong mod-11
 * check digit. Found before anything is sent.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { systemUser } from "@effect-texas/altinn"
 *
 * const refused = systemUser({ organization: "123456789" })
 * if (Either.isLeft(refused)) console.log(refused.left.message)
 * ```
 *
 * @category Errors
 * @since 0.1.0
 */
export class InvalidOrganizationNumber extends Data.TaggedError("InvalidOrganizationNumber")<{
  /** What was given (an organisation number is public, never a secret). */
  readonly organization: string
  readonly reason: string
}> {
  override get message(): string {
    return Messages.invalidOrganization(this)
  }
}
