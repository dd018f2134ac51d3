/**
 * Altinn 3 for Effect 4 applications on NAIS: system users as Maskinporten
 * authorization details, the Altinn token exchanged from a Maskinporten
 * token (cached, shared, retried, typed), and middleware for Altinn's APIs.
 *
 * @since 1.0.0
 *
 * @document ../README.md
 * @module @effect-texas/altinn
 */

export { InvalidOrganizationNumber } from "./AltinnError.js"

export {
  AltinnMetrics,
  AltinnToken,
  type AltinnTokenOptions,
  type AltinnTokenRequest,
  platformUrls
} from "./AltinnToken.js"

export { authenticateAltinn, type AuthenticateAltinnOptions } from "./AuthenticateAltinn.js"

export {
  checkOrganizationNumber,
  systemUser,
  type SystemUserDetail,
  type SystemUserOptions
} from "./SystemUser.js"
