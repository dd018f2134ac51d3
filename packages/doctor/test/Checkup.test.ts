/**
 * The doctor's verdicts and hints, as a developer reads them: what each answer of the sidecar
 * means for a scope, a target or a provider, and what to do about it in the platform docs' words
 * (nais/doc: Maskinporten's "consume an API", Entra ID's access policies; the sidecar's
 * "is not enabled" refusal comes from nais/texas `src/handler/token.rs`).
 */
import { Checkup } from "@effect-texas/doctor"
import { describe, expect, it } from "vitest"

const endpointError = (error: string, errorDescription: string) => ({ _tag: "TokenEndpointError" as const, error, errorDescription })
const app = (application: string, namespace?: string, cluster?: string): Checkup.Workload => ({ application, namespace, cluster })

describe("Checkup.check and notChecked", () => {
  it("a check fails unless told otherwise; ok is status ok; a verdict given in the fields wins", () => {
    expect(Checkup.check("environment", "X", "missing")).toEqual({
      kind: "environment", scope: "X", status: "failed", ok: false, verdict: "missing", error: undefined, errorDescription: undefined, hint: undefined
    })
    expect(Checkup.check("environment", "X", "set", { status: "ok" })).toMatchObject({ status: "ok", ok: true })
    expect(Checkup.check("environment", "X", "a", { verdict: "b" }).verdict).toBe("b")
    expect(Checkup.notChecked("maskinporten", "a:b", "templated", "fill it")).toMatchObject({
      status: "not checked", ok: false, verdict: "not checked: templated", hint: "fill it"
    })
  })
})

describe("Checkup.granted", () => {
  it("says how long the token is valid, in days, hours, minutes and seconds, leaving out the zeros", () => {
    const ask = { kind: "maskinporten", scope: "a:b" } as const
    expect(Checkup.granted(ask, 3599.9)).toMatchObject({ ok: true, status: "ok", verdict: "ok, valid for 59m 59s" })
    expect(Checkup.granted(ask, 90_061)).toMatchObject({ verdict: "ok, valid for 1d 1h 1m 1s" })
    expect(Checkup.granted(ask, 7200)).toMatchObject({ verdict: "ok, valid for 2h" })
    expect(Checkup.granted(ask, 0.5)).toMatchObject({ verdict: "ok, valid for 0s" })
    expect(Checkup.granted(ask, -5)).toMatchObject({ verdict: "ok, valid for 0s" })
  })
})

describe("Checkup.refused: Maskinporten", () => {
  const ask = { kind: "maskinporten", scope: "skatt:some.scope" } as const

  it("invalid_scope: the how-to's questions (declared? granted to NAV's organisation? changed in the last 15 minutes?)", () => {
    const verdict = Checkup.refused(ask, endpointError("invalid_scope", "not granted"))
    expect(verdict).toMatchObject({ ok: false, verdict: "invalid_scope", error: "invalid_scope", errorDescription: "not granted" })
    expect(verdict.hint).toContain("spec.maskinporten.scopes.consumes")
    expect(verdict.hint).toContain("889640782")
    expect(verdict.hint).toContain("15 minutes")
  })

  it("another refusal: its code, no hint", () => {
    expect(Checkup.refused(ask, endpointError("server_error", "down"))).toMatchObject({ verdict: "server_error", hint: undefined })
  })

  it("the provider not enabled: the manifest field that turns it on", () => {
    const verdict = Checkup.refused(ask, endpointError("invalid_request", "identity provider maskinporten is not enabled"))
    expect(verdict.verdict).toBe("provider not enabled")
    expect(verdict.hint).toBe(
      "The sidecar runs without maskinporten: set spec.maskinporten.enabled: true in the manifest and deploy it (the sidecar only knows the deployed manifest)."
    )
  })
})

describe("Checkup.refused: Entra ID", () => {
  const scope = "api://dev-gcp.team.api/.default"

  it("not assigned (AADSTS501051, AADSTS65001): the inbound rule the target needs, namespace and cluster only when the caller runs elsewhere", () => {
    for (const code of ["AADSTS501051", "AADSTS65001"]) {
      const same = Checkup.refused({ kind: "entra_id", scope, caller: app("me", "team", "dev-gcp"), target: app("api", "team", "dev-gcp") }, endpointError("invalid_grant", `${code}: no`))
      expect(same.verdict).toBe("not assigned")
      expect(same.hint).toBe(
        "api (namespace team, cluster dev-gcp) does not let this application in: add { application: me } to spec.accessPolicy.inbound.rules in the manifest of api and deploy it. A rule added minutes ago may not have propagated yet."
      )
    }
    const otherNamespace = Checkup.refused({ kind: "entra_id", scope, caller: app("me", "mine", "dev-gcp"), target: app("api", "team", "dev-gcp") }, endpointError("invalid_grant", "AADSTS501051"))
    expect(otherNamespace.hint).toContain("add { application: me, namespace: mine } to")
    const otherCluster = Checkup.refused({ kind: "entra_id", scope, caller: app("me", "team", "prod-gcp"), target: app("api", "team", "dev-gcp") }, endpointError("invalid_grant", "AADSTS501051"))
    expect(otherCluster.hint).toContain("add { application: me, namespace: team, cluster: prod-gcp } to")
    const unknown = Checkup.refused({ kind: "entra_id", scope }, endpointError("invalid_grant", "AADSTS65001"))
    expect(unknown.hint).toBe(
      "The target application does not let this application in: add { application: <this application> } to spec.accessPolicy.inbound.rules in the manifest of The target application and deploy it. A rule added minutes ago may not have propagated yet."
    )
  })

  it("no such application (invalid_resource, AADSTS500011): the target as Entra ID names it, and what to check", () => {
    for (const [error, description] of [["invalid_resource", "x"], ["invalid_request", "AADSTS500011: not found"]] as const) {
      const verdict = Checkup.refused({ kind: "entra_id", scope, target: app("api", "team", undefined) }, endpointError(error, description))
      expect(verdict.verdict).toBe("no such application")
      expect(verdict.hint).toBe(
        "Entra ID knows no application api://dev-gcp.team.api: are the application, namespace and cluster of the outbound rule right, and has api (namespace team) deployed with spec.azure.application.enabled: true? If it is not called with Entra ID tokens (TokenX, or no tokens), this check does not apply to it."
      )
    }
  })

  it("another refusal: its code, and where Entra ID targets and inbound rules are", () => {
    const verdict = Checkup.refused({ kind: "entra_id", scope, target: app("api") }, endpointError("invalid_scope", "AADSTS5000111 close but no"))
    expect(verdict.verdict).toBe("invalid_scope")
    expect(verdict.hint).toBe(
      "Entra ID targets are api://<cluster>.<namespace>.<application>/.default; api lets callers in through spec.accessPolicy.inbound.rules. Changes may take minutes to propagate."
    )
  })
})

describe("Checkup: calls that got no answer", () => {
  it("unreachable: asks whether the sidecar runs; other failures: their tag and message", () => {
    const ask = { kind: "maskinporten", scope: "a:b" } as const
    expect(Checkup.refused(ask, { _tag: "TokenEndpointUnreachable", reason: "Refused", detail: "ECONNREFUSED" })).toEqual({
      kind: "maskinporten", scope: "a:b", status: "failed", ok: false, verdict: "unreachable", error: "Refused", errorDescription: "ECONNREFUSED",
      hint: "Is the token sidecar running beside the app?"
    })
    expect(Checkup.refused(ask, { _tag: "InvalidTokenResponse", message: "not JSON" })).toMatchObject({ verdict: "InvalidTokenResponse", errorDescription: "not JSON", hint: undefined })
  })
})

describe("Checkup.probed: introspection", () => {
  it("an inactive answer for the unsigned probe is the sidecar answering; 'is not enabled' names the manifest field", () => {
    expect(Checkup.probed({ provider: "tokenx" }, { _tag: "Inactive", reason: "invalid signature" })).toMatchObject({
      kind: "introspection", scope: "tokenx", ok: true, verdict: "ok, answers (a token no provider signed is inactive)"
    })
    const off = Checkup.probed({ provider: "idporten" }, { _tag: "Inactive", reason: "identity provider idporten is not enabled" })
    expect(off).toMatchObject({ ok: false, verdict: "provider not enabled", errorDescription: "identity provider idporten is not enabled" })
    expect(off.hint).toContain("spec.idporten.enabled: true")
    expect(Checkup.probed({ provider: "entra_id" }, { _tag: "Inactive", reason: "is not enabled" }).hint).toContain("spec.azure.application.enabled: true")
    expect(Checkup.probed({ provider: "tokenx" }, { _tag: "Inactive", reason: "is not enabled" }).hint).toContain("spec.tokenx.enabled: true")
  })

  it("active for a token no provider signed: not the sidecar", () => {
    expect(Checkup.probed({ provider: "tokenx" }, { _tag: "Active" })).toMatchObject({
      ok: false,
      verdict: "active for a token no provider signed",
      hint: "NAIS_TOKEN_INTROSPECTION_ENDPOINT does not look like the token sidecar: is it the platform's value?"
    })
  })

  it("an error answer: its code; no answer: unreachable", () => {
    expect(Checkup.probed({ provider: "maskinporten" }, endpointError("invalid_request", "bad"))).toMatchObject({ verdict: "invalid_request", error: "invalid_request", errorDescription: "bad" })
    expect(Checkup.probed({ provider: "maskinporten" }, { _tag: "TokenEndpointUnreachable", reason: "Timeout", detail: "10s" })).toMatchObject({ verdict: "unreachable" })
  })

  it("the probe token is a JWS no provider signed, naming the doctor as its subject", () => {
    const [header, payload, signature] = Checkup.probeToken.split(".")
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toEqual({ alg: "RS256", typ: "JWT" })
    expect(JSON.parse(Buffer.from(payload!, "base64url").toString())).toEqual({ sub: "effect-texas-doctor" })
    expect(Buffer.from(signature!, "base64url").toString()).toBe("not-signed")
  })
})
