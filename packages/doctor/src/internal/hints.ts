/**
 * The doctor's hints: what the platform's docs say to do about each refusal (Maskinporten's
 * how-to, the manifest fields that turn providers on, Entra ID's inbound rules).
 */
import type { Ask, Probe, Workload } from "../Checkup.js"

/** NAV's organisation number, which Maskinporten scopes are granted to. */
const organisation = "889640782"

/** The Maskinporten how-to's questions for a scope the organisation may not use. */
export const maskinportenHint =
  `Is the scope declared in the manifest (spec.maskinporten.scopes.consumes)? Has the API owner granted it to organisation ${organisation}? ` +
  "Was it changed less than 15 minutes ago? Changes take up to 15 minutes to propagate."

/** The manifest field that turns each provider on. */
const providerField: Record<Probe["provider"], string> = {
  maskinporten: "spec.maskinporten.enabled",
  entra_id: "spec.azure.application.enabled",
  tokenx: "spec.tokenx.enabled",
  idporten: "spec.idporten.enabled"
}

/** The sidecar runs without the provider: the deployed manifest does not turn it on. */
export const notEnabledHint = (provider: Probe["provider"]) =>
  `The sidecar runs without ${provider}: set ${providerField[provider]}: true in the manifest and deploy it (the sidecar only knows the deployed manifest).`

/** How Entra ID refused, from the codes it puts in its answer (passed through by the sidecar). */
export const entraRefusal = (error: string, description: string): "not assigned" | "no such application" | undefined => {
  if (error === "invalid_resource" || /\bAADSTS500011\b/.test(description)) return "no such application"
  if (/\bAADSTS(501051|65001)\b/.test(description)) return "not assigned"
  return undefined
}

const where = (workload: Workload | undefined) =>
  workload === undefined ? "" : [workload.namespace === undefined ? "" : `namespace ${workload.namespace}`, workload.cluster === undefined ? "" : `cluster ${workload.cluster}`]
    .filter((part) => part !== "")
    .join(", ")

/** The rule the target's manifest needs for `caller`: `namespace` and `cluster` only when it runs elsewhere. */
const inboundRule = (caller: Workload | undefined, target: Workload | undefined): string => {
  const name = caller?.application ?? "<this application>"
  const fields = [`application: ${name}`]
  if (caller?.namespace !== undefined && (caller.namespace !== target?.namespace || caller.cluster !== target?.cluster)) fields.push(`namespace: ${caller.namespace}`)
  if (caller?.cluster !== undefined && caller.cluster !== target?.cluster) fields.push(`cluster: ${caller.cluster}`)
  return `{ ${fields.join(", ")} }`
}

export const entraHint = (ask: Ask, refusal: "not assigned" | "no such application" | undefined): string => {
  const target = ask.target?.application ?? "The target application"
  const at = where(ask.target)
  const named = at.length === 0 ? target : `${target} (${at})`
  switch (refusal) {
    case "not assigned":
      return `${named} does not let this application in: add ${inboundRule(ask.caller, ask.target)} to spec.accessPolicy.inbound.rules in the manifest of ${target} and deploy it. A rule added minutes ago may not have propagated yet.`
    case "no such application":
      return `Entra ID knows no application ${ask.scope.replace(/\/\.default$/, "")}: are the application, namespace and cluster of the outbound rule right, and has ${named} deployed with spec.azure.application.enabled: true? If it is not called with Entra ID tokens (TokenX, or no tokens), this check does not apply to it.`
    default:
      return `Entra ID targets are api://<cluster>.<namespace>.<application>/.default; ${named} lets callers in through spec.accessPolicy.inbound.rules. Changes may take minutes to propagate.`
  }
}
