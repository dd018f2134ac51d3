/**
 * The shared manifest reading: what both lines' `Manifest` wrap.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Checkup, Cli, Manifest, Output, Plan, Template } from "@effect-texas/doctor"
import { describe, expect, it } from "vitest"

const application = "apiVersion: nais.io/v1alpha1\nkind: Application\nmetadata: { name: app, namespace: team }\nspec:\n  maskinporten:\n    enabled: true\n    scopes:\n      consumes:\n        - name: skatt:some.scope\n"

describe("Manifest (shared)", () => {
  it("find passes over what is not a regular file (a named pipe would block an open); read refuses it", () => {
    const directory = mkdtempSync(join(tmpdir(), "effect-texas-doctor-fifo-"))
    mkdirSync(join(directory, ".nais"))
    execFileSync("mkfifo", [join(directory, ".nais", "a.yaml")])
    writeFileSync(join(directory, ".nais", "b.yaml"), application)
    expect(Manifest.find(directory)).toBe(join(directory, ".nais", "b.yaml"))
    const refused = Manifest.read(join(directory, ".nais", "a.yaml"))
    expect(Manifest.isProblem(refused) && refused.reason).toContain("not a regular file")
  })

  it("a manifest's scopes become the plan's token requests; without NAIS_TOKEN_ENDPOINT there is nothing to ask", () => {
    const manifest = Manifest.parse(application)
    if (Manifest.isProblem(manifest)) throw new Error(manifest.reason)
    const planned = Plan.plan(manifest, { env: { NAIS_TOKEN_ENDPOINT: "http://127.0.0.1:7164/api/v1/token" } })
    expect(planned.steps.filter((step) => step._tag === "Ask")).toEqual([{ _tag: "Ask", ask: { kind: "maskinporten", scope: "skatt:some.scope" } }])
    expect(planned.tokenEndpoint).toBe("http://127.0.0.1:7164/api/v1/token")
    const unset = Plan.plan(manifest, {})
    expect(unset.tokenEndpoint).toBeUndefined()
    expect(unset.steps.map((step) => step._tag === "Decided" && [step.check.scope, step.check.verdict])).toEqual([
      ["NAIS_TOKEN_ENDPOINT", "not set"],
      ["skatt:some.scope", "not checked: NAIS_TOKEN_ENDPOINT not set"]
    ])
  })

  it("lifetimes read as a person would: 59m 59s, 1d 1h, 0s", () => {
    const ask = { kind: "maskinporten", scope: "a:b" } as const
    expect([3599, 90_000, 0].map((seconds) => Checkup.granted(ask, seconds).verdict)).toEqual(["ok, valid for 59m 59s", "ok, valid for 1d 1h", "ok, valid for 0s"])
  })
})

describe("Template (shared): nais/deploy's Handlebars", () => {
  const filled = (text: string, variables?: Template.Variables) => {
    const result = Template.fill(text, variables)
    if ("reason" in result) throw new Error(result.reason)
    return { ...result, text: result.restore(result.text) }
  }

  it("fills what is given, names and keeps what is not, and leaves a text without templates alone", () => {
    expect(filled("namespace: {{ team }}\nname: {{app}}\n", { app: "accounts" })).toMatchObject({ text: "namespace: {{team}}\nname: accounts\n", unfilled: ["team"] })
    expect(filled("a: b\n")).toMatchObject({ text: "a: b\n", unfilled: [] })
  })

  it("blocks and escapes as nais/doc's templating how-to shows them (docs/build/how-to/templating.md)", () => {
    const text = "ingresses:\n{{#each ingresses as |url|}}\n  - {{url}}\n{{/each}}\nsummary: '\\{{ $labels.app }} is down'\n"
    expect(filled(text, { ingresses: ["https://a.nav.no", "https://b.nav.no"] }).text).toBe(
      "ingresses:\n  - https://a.nav.no\n  - https://b.nav.no\nsummary: '{{ $labels.app }} is down'\n"
    )
  })

  it("a template Handlebars cannot read, and a helper that does not exist, are problems in one sentence", () => {
    for (const text of ["{{#each items}}\n- x\n", "{{ lookup-nothing a b }}"]) {
      const result = Template.fill(text, {})
      expect("reason" in result && result.reason).toMatch(/^[a-z].*\.$/)
    }
    const manifest = Manifest.parse("{{#if x}}\nkind: Application\n", "app.yaml")
    expect(Manifest.isProblem(manifest) && manifest.reason).toMatch(/^app.yaml is not a template nais\/deploy can render: /)
  })

  it("an unfilled value anywhere in the YAML keeps the YAML readable (no flow mapping from `{{`), and the flag reads as templated", () => {
    const manifest = Manifest.parse("apiVersion: nais.io/v1alpha1\nkind: Application\nmetadata:\n  name: app\n  namespace: {{ ns }}\nspec:\n  tokenx:\n    enabled: {{ tokenx }}\n")
    if (Manifest.isProblem(manifest)) throw new Error(manifest.reason)
    expect(manifest).toMatchObject({ namespace: "{{ns}}", tokenX: "templated", unfilled: ["ns", "tokenx"] })
  })
})

describe("Cli (shared): arguments, colour, exit codes", () => {
  it("reads options, repeated --var, and says what is wrong with a command line in one sentence", () => {
    expect(Cli.parse(["doctor", "--var", "a=1", "--var", "b=x=y", "--cluster", "prod-gcp"])).toEqual({
      _tag: "Doctor",
      manifest: undefined,
      cluster: "prod-gcp",
      varsFile: undefined,
      vars: { a: "1", b: "x=y" },
      json: false
    })
    expect(Cli.parse(["doctor", "-h"])).toEqual({ _tag: "Help" })
    const wrong = [["doctor", "--nope"], ["doctor", "--manifest"], ["doctors"], [], ["doctor", "extra"], ["doctor", "--var", "=1"]]
    for (const argv of wrong) {
      const parsed = Cli.parse(argv)
      expect(parsed._tag).toBe("UsageError")
      expect(parsed._tag === "UsageError" && parsed.message).toMatch(/^[-a-z`].*\.$/)
    }
  })

  it("colour only on a terminal, and never with NO_COLOR or TERM=dumb (https://no-color.org)", () => {
    expect(Cli.useColour({ isTTY: true }, {})).toBe(true)
    expect(Cli.useColour({ isTTY: false }, {})).toBe(false)
    expect(Cli.useColour({}, {})).toBe(false)
    expect(Cli.useColour({ isTTY: true }, { NO_COLOR: "1" })).toBe(false)
    expect(Cli.useColour({ isTTY: true }, { NO_COLOR: "" })).toBe(true)
    expect(Cli.useColour({ isTTY: true }, { TERM: "dumb" })).toBe(false)
    const report = Plan.report(Plan.plan(Plan.fromScopes(["a:b"])), [Checkup.check("maskinporten", "a:b", "invalid_scope")])
    expect(Output.render(report, { colour: true })).toContain("\u001b[31mFAIL\u001b[0m")
    expect(Output.render(report)).not.toContain("\u001b")
  })

  it("on a terminal the table is coloured, and the exit codes follow the report: a run through main", async () => {
    const written: Array<string> = []
    const io = (argv: ReadonlyArray<string>, isTTY: boolean) => ({
      argv,
      env: {},
      cwd: process.cwd(),
      stdout: { write: (text: string) => written.push(text), isTTY },
      stderr: { write: (text: string) => written.push(text) }
    })
    const path = join(mkdtempSync(join(tmpdir(), "effect-texas-doctor-main-")), "app.yaml")
    writeFileSync(path, application)
    const failing: Cli.Verify = async (manifest, options) =>
      Plan.report(Plan.plan(manifest, options), [Checkup.check("maskinporten", "skatt:some.scope", "invalid_scope")])
    expect(await Cli.main(io(["doctor", "--manifest", path], true), failing, "0.0.0")).toBe(Cli.ExitCode.problem)
    expect(written.join("")).toContain("\u001b[31mFAIL")
    const throwing: Cli.Verify = () => Promise.reject(new Error("boom"))
    written.length = 0
    expect(await Cli.main(io(["doctor", "--manifest", path, "--json"], false), throwing, "0.0.0")).toBe(Cli.ExitCode.software)
    expect(JSON.parse(written.join(""))).toMatchObject({ ok: false, error: { kind: "internal", exitCode: 70 } })
    written.length = 0
    expect(await Cli.main(io(["--version"], false), failing, "1.2.3")).toBe(0)
    expect(written).toEqual(["1.2.3\n"])
  })
})

describe("Checkup (shared): Entra ID's answers as the sidecar passes them through", () => {
  const ask = {
    kind: "entra_id",
    scope: "api://prod-gcp.finance.ledger/.default",
    caller: { application: "app", namespace: "team", cluster: "dev-gcp" },
    target: { application: "ledger", namespace: "finance", cluster: "prod-gcp" }
  } as const
  const refusal = (error: string, errorDescription: string) => Checkup.refused(ask, { _tag: "TokenEndpointError", error, errorDescription })

  it("AADSTS501051 and AADSTS65001 are not assigned; the rule names the caller's namespace and cluster across clusters", () => {
    for (const code of ["AADSTS501051", "AADSTS65001"]) {
      const check = refusal("invalid_grant", `${code}: whatever Entra ID says`)
      expect(check.verdict).toBe("not assigned")
      expect(check.hint).toContain("{ application: app, namespace: team, cluster: dev-gcp } to spec.accessPolicy.inbound.rules in the manifest of ledger")
    }
  })

  it("invalid_resource or AADSTS500011 is no such application; other codes keep theirs, with the format and the rules named", () => {
    expect(refusal("invalid_resource", "AADSTS500011: The resource principal named api://x was not found").verdict).toBe("no such application")
    expect(refusal("invalid_request", "AADSTS500011: ...").verdict).toBe("no such application")
    const other = refusal("invalid_scope", "AADSTS70011: The provided value for scope x is not valid.")
    expect(other).toMatchObject({ verdict: "invalid_scope", ok: false })
    expect(other.hint).toContain("api://<cluster>.<namespace>.<application>/.default")
    expect(other.hint).not.toContain("889640782")
  })

  it("the probe token is shaped like a JWT, names no key, and is no secret", () => {
    const [header, payload, signature] = Checkup.probeToken.split(".")
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toEqual({ alg: "RS256", typ: "JWT" })
    expect(JSON.parse(Buffer.from(payload!, "base64url").toString())).toEqual({ sub: "effect-texas-doctor" })
    expect(signature).toBe("bm90LXNpZ25lZA")
  })
})
