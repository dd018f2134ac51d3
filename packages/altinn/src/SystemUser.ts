/**
 * Altinn system users as Maskinporten authorization details (RFC 9396):
 * what a system asks Maskinporten for to act as the system user an
 * organisation has set up for it.
 *
 * @since 0.1.0
 */
import { Access, Altinn } from "@effect-texas/protocol"
import * as Either from "effect/Either"
import { InvalidOrganizationNumber } from "./AltinnError.js"

/**
 * The authorization detail of type `urn:altinn:systemuser`, with the field
 * names as Altinn and the sidecar's `hack/roundtrip-maskinporten-rar.sh`
 * spell them.
 *
 * @category Models
 * @since 0.1.0
 */
export type SystemUserDetail = Altinn.SystemUserDetail

/**
 * Who the system acts for.
 *
 * @category Options
 * @since 0.1.0
 */
export type SystemUserOptions = Altinn.SystemUserOptions

/**
 * Why `organization` is not a Norwegian organisation number (nine digits, the
 * last a mod-11 check digit over the first eight), or undefined if it is one.
 *
 * @example
 * ```ts
 * import { checkOrganizationNumber } from "@effect-texas/altinn"
 *
 * console.log(checkOrganizationNumber("889640782")) // undefined: valid
 * console.log(checkOrganizationNumber("889640781")) // "the check digit should be 2"
 * ```
 *
 * @category Validation
 * @since 0.1.0
 */
export const checkOrganizationNumber = (organization: string): string | undefined => Access.organizationNumberProblem(organization)

/**
 * The authorization detail for acting as an organisation's system user, or
 * `InvalidOrganizationNumber` at once. The result is an `Either`, which is
 * also an `Effect`: `yield*` it in `Effect.gen`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { AltinnToken, systemUser } from "@effect-texas/altinn"
 *
 * const program = Effect.gen(function*() {
 *   const detail = yield* systemUser({ organization: "313367002", systemId: "991825827_smartcloud" })
 *   const altinn = yield* AltinnToken
 *   return yield* altinn.token({ scopes: "altinn:systembruker.demo", authorizationDetails: [detail] })
 * })
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const systemUser = (options: SystemUserOptions): Either.Either<SystemUserDetail, InvalidOrganizationNumber> => {
  const detail = Altinn.systemUserDetail(options)
  return "reason" in detail
    ? Either.left(new InvalidOrganizationNumber({ organization: options.organization, reason: detail.reason }))
    : Either.right(detail)
}
