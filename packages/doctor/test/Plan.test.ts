/**
 * What the doctor plans to ask the sidecar, from a manifest and the environment: one token request
 * per consumed Maskinporten scope and per application called with Entra ID, one introspection per
 * provider whose tokens the application validates, each variable those need checked first, and
 * what cannot be checked said (templated values, an unknown namespace or cluster).
 */
import { type Checkup, type Manifest, Plan } from "@effect-texas/doctor"
import { describe, expect, it } from "vitest"

const base: Manifest.Manifest = { ...Plan.fromScopes([]), application: "app", namespace: "team", maskinporten: false }
const env = {
  NAIS_TOKEN_ENDPOINT: "http://127.0.0.1:7164/api/v1/token",
  NAIS_TOKEN_EXCHANGE_ENDPOINT: "http://127.0.0.1:7164/api/v1/token/exchange",
  NAIS_TOKEN_INTROSPECTION_ENDPOINT: "http://127.0.0.1:7164/api/v1/introspect"
}
const decided = (plan: Plan.Plan) => plan.steps.flatMap((step) => (step._tag === "Decided" ? [step.check] : []))
const asks = (plan: Plan.Plan) => plan.steps.flatMap((step) => (step._tag === "Ask" ? [step.ask] : []))
const probes = (plan: Plan.Plan) => plan.steps.flatMap((step) => (step._tag === "Probe" ? [step.probe.provider] : []))
const verdicts = (checks: ReadonlyArray<Checkup.Check>) => checks.map((check) => `${check.scope}: ${check.verdict}`)

describe("Plan.plan: Maskinporten", () => {
  it("asks once per consumed scope, after checking NAIS_TOKEN_ENDPOINT", () => {
    const plan = Plan.plan({ ...base, maskinporten: true, scopes: ["a:b", "c:d"] }, { env })
    expect(verdicts(decided(plan))).toEqual(["NAIS_TOKEN_ENDPOINT: ok"])
    expect(asks(plan)).toEqual([{ kind: "maskinporten", scope: "a:b" }, { kind: "maskinporten", scope: "c:d" }])
    expect(plan.tokenEndpoint).toBe(env.NAIS_TOKEN_ENDPOINT)
    expect(plan.introspectionEndpoint).toBeUndefined()
  })

  it("a scope consumed with Maskinporten off fails; templated, it is not checked", () => {
    expect(verdicts(decided(Plan.plan({ ...base, scopes: ["a:b"] }, { env })))).toEqual(["a:b: maskinporten not enabled"])
    expect(verdicts(decided(Plan.plan({ ...base, maskinporten: "templated", scopes: ["a:b"] }, { env })))).toEqual(["a:b: not checked: templated"])
    const scope = Plan.plan({ ...base, maskinporten: true, scopes: ["{{scope}}"] }, { env })
    expect(verdicts(decided(scope))).toEqual(["{{scope}}: not checked: templated"])
    expect(decided(scope)[0]!.hint).toContain("--var name=value")
  })

  it("the variable unset or not http(s): it fails, and every request needing it is not checked", () => {
    for (const [value, verdict] of [[undefined, "not set"], ["", "not set"], ["ftp://x/", "not an http(s) URL"], ["nope", "not an http(s) URL"]] as const) {
      const plan = Plan.plan({ ...base, maskinporten: true, scopes: ["a:b"] }, { env: { NAIS_TOKEN_ENDPOINT: value } })
      expect(verdicts(decided(plan))).toEqual([`NAIS_TOKEN_ENDPOINT: ${verdict}`, `a:b: not checked: NAIS_TOKEN_ENDPOINT ${verdict}`])
      expect(plan.tokenEndpoint).toBeUndefined()
    }
  })
})

describe("Plan.plan: Entra ID", () => {
  const entra: Manifest.Manifest = { ...base, entraId: true, outbound: [{ application: "api" }, { application: "other", namespace: "them", cluster: "prod-gcp" }, { application: "*" }] }

  it("asks once per application called (not the wildcard), its namespace and cluster from the rule or the caller's", () => {
    const plan = Plan.plan(entra, { env, cluster: "dev-gcp" })
    expect(asks(plan).map((ask) => ask.scope)).toEqual(["api://dev-gcp.team.api/.default", "api://prod-gcp.them.other/.default"])
    expect(asks(plan)[0]).toMatchObject({ caller: { application: "app", namespace: "team", cluster: "dev-gcp" }, target: { application: "api", namespace: "team", cluster: "dev-gcp" } })
    expect(Plan.plan(entra, { env: { ...env, NAIS_CLUSTER_NAME: "dev-fss" } }).cluster).toBe("dev-fss")
    expect(Plan.plan(entra, { env: { ...env, NAIS_CLUSTER_NAME: "dev-fss" }, cluster: "dev-gcp" }).cluster).toBe("dev-gcp")
  })

  it("an unknown cluster or namespace is not checked, with a warning for the cluster", () => {
    const plan = Plan.plan(entra, { env: { ...env, NAIS_CLUSTER_NAME: "" } })
    expect(verdicts(decided(plan))).toContain("api://<cluster>.team.api/.default: not checked: cluster unknown")
    expect(plan.warnings.some((warning) => warning.startsWith("the cluster is not known"))).toBe(true)
    const noNamespace = Plan.plan({ ...entra, namespace: undefined }, { env, cluster: "dev-gcp" })
    expect(verdicts(decided(noNamespace))).toContain("api://dev-gcp.<namespace>.api/.default: not checked: namespace unknown")
  })

  it("Entra ID off: nothing asked; templated: not checked", () => {
    expect(asks(Plan.plan({ ...entra, entraId: false }, { env, cluster: "dev-gcp" }))).toEqual([])
    expect(verdicts(decided(Plan.plan({ ...entra, entraId: "templated" }, { env, cluster: "dev-gcp" })))).toContain("api://dev-gcp.team.api/.default: not checked: templated")
  })
})

describe("Plan.plan: introspection and the exchange", () => {
  it("one probe per provider whose tokens the application validates, after NAIS_TOKEN_INTROSPECTION_ENDPOINT", () => {
    const plan = Plan.plan({ ...base, tokenX: true, idporten: true, entraIdLogin: true, maskinporten: true, exposesScopes: true }, { env })
    expect(probes(plan)).toEqual(["maskinporten", "entra_id", "tokenx", "idporten"])
    expect(verdicts(decided(plan))).toEqual(["NAIS_TOKEN_EXCHANGE_ENDPOINT: ok", "NAIS_TOKEN_INTROSPECTION_ENDPOINT: ok"])
    expect(plan.introspectionEndpoint).toBe(env.NAIS_TOKEN_INTROSPECTION_ENDPOINT)
  })

  it("Maskinporten only when it exposes scopes; Entra ID when it logs users in, or has inbound rules with Entra ID on", () => {
    expect(probes(Plan.plan({ ...base, maskinporten: true }, { env }))).toEqual([])
    expect(probes(Plan.plan({ ...base, entraId: true, inbound: [{ application: "caller" }] }, { env }))).toEqual(["entra_id"])
    expect(probes(Plan.plan({ ...base, entraId: true }, { env }))).toEqual([])
    expect(verdicts(decided(Plan.plan({ ...base, idporten: "templated" }, { env })))).toEqual(["idporten: not checked: templated"])
  })

  it("the introspection variable unset: every probe not checked", () => {
    const plan = Plan.plan({ ...base, idporten: true }, { env: {} })
    expect(verdicts(decided(plan))).toEqual(["NAIS_TOKEN_INTROSPECTION_ENDPOINT: not set", "idporten: not checked: NAIS_TOKEN_INTROSPECTION_ENDPOINT not set"])
  })
})

describe("Plan: warnings and the report", () => {
  it("nothing to check says so; unfilled variables say which checks they hold back", () => {
    expect(Plan.plan(base, { env }).warnings).toEqual([expect.stringMatching(/^nothing to check: app \(Application\) consumes no Maskinporten scope/)])
    const unused = Plan.plan({ ...base, maskinporten: true, scopes: ["a:b"], unfilled: ["x"] }, { env })
    expect(unused.warnings).toEqual(["template variables not filled: x (no check depends on them)."])
    const used = Plan.plan({ ...base, maskinporten: true, scopes: ["{{x}}"], unfilled: ["x"], notes: ["a note"] }, { env })
    expect(used.warnings).toEqual(["a note", "template variables not filled: x. The checks that depend on x are not checked: fill them with --var name=value or --vars <file>, as nais/deploy does."])
  })

  it("a report is ok unless a check failed (not checked is not a failure)", () => {
    const plan = Plan.plan(base, { env })
    const ok = { kind: "environment", scope: "X", status: "ok", ok: true, verdict: "ok", error: undefined, errorDescription: undefined, hint: undefined } as const
    expect(Plan.report(plan, [ok, { ...ok, status: "not checked", ok: false }]).ok).toBe(true)
    expect(Plan.report(plan, [ok, { ...ok, status: "failed", ok: false }]).ok).toBe(false)
    expect(Plan.report(plan, [])).toMatchObject({ application: "app", kind: "Application", ok: true, checks: [] })
  })
})

describe("Plan.plan: what each check that is not asked says to do (the doctor's hints)", () => {
  const fill = (value: string) => `${value} is a template variable: fill it with --var name=value or --vars <file>, as nais/deploy does.`
  const said = (plan: Plan.Plan) => decided(plan).map((check) => `${check.scope}: ${check.verdict} | ${check.hint ?? ""}`)

  it("Maskinporten off, or templated", () => {
    expect(said(Plan.plan({ ...base, scopes: ["a:b"] }, { env }))).toEqual([
      "a:b: maskinporten not enabled | The manifest consumes the scope but spec.maskinporten.enabled is not true: set it and deploy."
    ])
    expect(said(Plan.plan({ ...base, maskinporten: "templated", scopes: ["a:b"] }, { env }))).toEqual([`a:b: not checked: templated | ${fill("spec.maskinporten.enabled")}`])
  })

  it("an Entra ID target that is templated, or whose namespace or cluster is not known", () => {
    const entra = { ...base, entraId: true as const, outbound: [{ application: "api" }] }
    expect(said(Plan.plan({ ...entra, entraId: "templated" }, { env, cluster: "dev-gcp" }))).toEqual([
      `api://dev-gcp.team.api/.default: not checked: templated | ${fill("spec.azure.application.enabled")}`
    ])
    expect(said(Plan.plan({ ...entra, outbound: [{ application: "api", namespace: "{{ns}}" }] }, { env, cluster: "dev-gcp" }))).toEqual([
      `api://dev-gcp.{{ns}}.api/.default: not checked: templated | ${fill("{{ns}}")}`
    ])
    expect(said(Plan.plan({ ...entra, namespace: undefined }, { env, cluster: "dev-gcp" }))).toEqual([
      "api://dev-gcp.<namespace>.api/.default: not checked: namespace unknown | Neither the outbound rule nor metadata.namespace names the namespace."
    ])
    expect(said(Plan.plan(entra, { env }))).toEqual([
      "api://<cluster>.team.api/.default: not checked: cluster unknown | Set NAIS_CLUSTER_NAME or pass --cluster <name> (the rule names no cluster)."
    ])
    // A wildcard rule names no application to ask for.
    expect(Plan.plan({ ...entra, outbound: [{ application: "*" }] }, { env, cluster: "dev-gcp" }).steps).toEqual([])
  })

  it("an introspection whose provider is templated names the manifest field to fill", () => {
    const plan = Plan.plan({ ...base, exposesScopes: true, maskinporten: "templated", entraIdLogin: "templated", tokenX: "templated", idporten: "templated" }, { env })
    expect(said(plan)).toEqual([
      `maskinporten: not checked: templated | ${fill("spec.maskinporten.enabled")}`,
      `entra_id: not checked: templated | ${fill("spec.azure")}`,
      `tokenx: not checked: templated | ${fill("spec.tokenx.enabled")}`,
      `idporten: not checked: templated | ${fill("spec.idporten.enabled")}`
    ])
  })

  it("a variable not set says where it comes from; the checks needing it say to fix it first", () => {
    const plan = Plan.plan({ ...base, maskinporten: true, scopes: ["a:b"], idporten: true }, { env: {} })
    expect(said(plan)).toEqual([
      "NAIS_TOKEN_ENDPOINT: not set | The platform sets it in the pod when the manifest turns a provider on: is this running on NAIS?",
      "NAIS_TOKEN_INTROSPECTION_ENDPOINT: not set | The platform sets it in the pod when the manifest turns a provider on: is this running on NAIS?",
      "a:b: not checked: NAIS_TOKEN_ENDPOINT not set | Fix NAIS_TOKEN_ENDPOINT first.",
      "idporten: not checked: NAIS_TOKEN_INTROSPECTION_ENDPOINT not set | Fix NAIS_TOKEN_INTROSPECTION_ENDPOINT first."
    ])
    expect(said(Plan.plan({ ...base, maskinporten: true, scopes: ["a:b"] }, { env: { NAIS_TOKEN_ENDPOINT: "https://sidecar/api/v1/token" } }))[0]).toBe("NAIS_TOKEN_ENDPOINT: ok | ")
  })

  it("warns of template variables not filled, saying which checks they hold back", () => {
    const unfilled = { ...base, maskinporten: true, scopes: ["{{scope}}"], unfilled: ["scope", "image"] }
    expect(Plan.plan(unfilled, { env }).warnings).toEqual([
      "template variables not filled: scope, image. The checks that depend on scope are not checked: fill them with --var name=value or --vars <file>, as nais/deploy does."
    ])
    expect(Plan.plan({ ...unfilled, scopes: ["a:b"], unfilled: ["image"] }, { env }).warnings).toEqual(["template variables not filled: image (no check depends on them)."])
  })
})

describe("Plan.fromScopes and the unfilled-variables warning (mutation survivors)", () => {
  it("is a Maskinporten application consuming the scopes given on the command line, and nothing else", () => {
    expect(Plan.fromScopes(["a:b"])).toEqual({
      kind: "Application",
      application: "the application",
      namespace: undefined,
      maskinporten: true,
      scopes: ["a:b"],
      exposesScopes: false,
      entraId: false,
      entraIdLogin: false,
      idporten: false,
      tokenX: false,
      outbound: [],
      inbound: [],
      unfilled: [],
      notes: []
    })
  })

  it("lists the variables not filled and those the checks need, comma-separated", () => {
    const unfilled = { ...base, maskinporten: true, scopes: ["{{a}}", "{{b}}"], unfilled: ["a", "b", "image"] }
    expect(Plan.plan(unfilled, { env }).warnings[0]).toBe(
      "template variables not filled: a, b, image. The checks that depend on a, b are not checked: fill them with --var name=value or --vars <file>, as nais/deploy does."
    )
    expect(Plan.plan({ ...base, unfilled: ["image", "tag"] }, { env }).warnings[0]).toBe("template variables not filled: image, tag (no check depends on them).")
  })
})
