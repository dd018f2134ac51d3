/**
 * Altinn system users as Maskinporten authorization details (RFC 9396):
 * what a system asks Maskinporten for to act as the system user an
 * organisation has set up for it.
 *
 * @since 0.2.0
 */
import { Access } from "@effect-texas/protocol"
import * as Either from "effect/Either"
import { InvalidOrganizationNumber } from "./AltinnError.js"

/**
 * The authorization detail of type `urn:altinn:systemuser`, with the field
 * names as Altinn and the sidecar's `hack/roundtrip-maskinporten-rar.sh`
 * spell them.
 *
 * @category models
 * @since 0.2.0
 */
export type SystemUserDetail = {
  readonly type: "urn:altinn:systemuser"
  readonly systemuser_org: {
    readonly authority: "iso6523-actorid-upis"
    /** `0192:<organisation number>` (0192: the Norwegian register of legal entities). */
    readonly ID: string
  }
  /** The system user's id, when the organisation has more than one for the system. */
  readonly systemuser_id?: ReadonlyArray<string>
  /** The system's id in Altinn's system register, e.g. `991825827_smartcloud`. */
  readonly system_id?: string
}

/**
 * Who the system acts for.
 *
 * @category options
 * @since 0.2.0
 */
export interface SystemUserOptions {
  /** The organisation number (nine digits) of the organisation that owns the system user. */
  readonly organization: string
  /** The system user's id (a UUID). */
  readonly systemUserId?: string | undefined
  /** The system's id in the system register. */
  readonly systemId?: string | undefined
}

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
 * @category validation
 * @since 0.2.0
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
 * @category constructors
 * @since 0.2.0
 */
export const systemUser = (options: SystemUserOptions): Either.Either<SystemUserDetail, InvalidOrganizationNumber> => {
  const reason = checkOrganizationNumber(options.organization)
  if (reason !== undefined) return Either.left(new InvalidOrganizationNumber({ organization: options.organization, reason }))
  return Either.right({
    type: "urn:altinn:systemuser",
    systemuser_org: { authority: "iso6523-actorid-upis", ID: `0192:${options.organization}` },
    ...(options.systemUserId === undefined ? {} : { systemuser_id: [options.systemUserId] }),
    ...(options.systemId === undefined ? {} : { system_id: options.systemId })
  })
}
