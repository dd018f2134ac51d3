/// <reference types="vitest/globals" />
/**
 * `effect-texas doctor` as a user runs it, on each line's own command
 * (Effect 3's `@effect-texas/cli@0`, Effect 4's `@effect-texas/cli@1`): the
 * same checks, verdicts, output and exit codes from the shared
 * `@effect-texas/doctor`. Entra ID refuses as nais/doc's Entra ID reference
 * says it does (`docs/auth/entra-id/reference/README.md`, "Missing
 * application access policy": `invalid_grant`, AADSTS501051); an
 * introspection of a token without a key id is inactive (nais/texas
 * `src/oauth/token.rs`, `MissingKeyIDInTokenHeader`).
 */
import { Messages } from "@effect-texas/protocol"
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Fault, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import type * as D from "./Driver.js"
import { driver, failure, success } from "./setup.js"
import { expectNoTokenIn } from "./assertions.js"

const granted = "skatt:some.scope"
const ungranted = "skatt:not.granted"

const accounts = "api://dev-gcp.team.accounts/.default"
const ledger = "api://prod-gcp.finance.ledger/.default"

let emulator: TexasEmulatorHandle
let noEntra: TexasEmulatorHandle
let machinesOnly: TexasEmulatorHandle
beforeAll(async () => {
  emulator = await startTexasEmulator({
    grantedScopes: [granted, accounts, ledger],
    // `profiles` exists in Entra ID but does not let skatt-reporter in; any other application does not exist.
    entraIdApplications: ["api://dev-gcp.team.accounts", "api://prod-gcp.finance.ledger", "api://dev-gcp.team.profiles", "api://dev-gcp.other.profiles"]
  })
  noEntra = await startTexasEmulator({ enabledProviders: ["maskinporten"] })
  machinesOnly = await startTexasEmulator({ enabledProviders: ["maskinporten", "entra_id"] })
})
afterAll(async () => {
  await emulator.close()
  await noEntra.close()
  await machinesOnly.close()
})

const manifestText = (scopes: ReadonlyArray<string>, extra = "") => `apiVersion: nais.io/v1alpha1
kind: Application
metadata:
  name: skatt-reporter
  namespace: team
spec:
  image: ghcr.io/navikt/skatt-reporter
  maskinporten:
    enabled: true
    scopes:
      consumes:
${scopes.map((scope) => `        - name: "${scope}"`).join("\n")}
${extra}`

const entra = `  azure:
    application:
      enabled: true
  accessPolicy:
    outbound:
      rules:
        - application: accounts
`

/** A manifest with the given `spec` (YAML lines under `spec:`, indented two spaces). */
const workload = (spec: string, { kind = "Application", apiVersion = "nais.io/v1alpha1", namespace = "team" } = {}) => `apiVersion: ${apiVersion}
kind: ${kind}
metadata:
  name: skatt-reporter
  namespace: ${namespace}
spec:
  image: ghcr.io/navikt/skatt-reporter
${spec}`

const consumes = (...scopes: ReadonlyArray<string>) => `  maskinporten:
    enabled: true
    scopes:
      consumes:
${scopes.map((scope) => `        - name: "${scope}"`).join("\n")}
`

const entraOnly = (...rules: ReadonlyArray<string>) => `  azure:
    application:
      enabled: true
  accessPolicy:
    outbound:
      rules:
${rules.map((rule) => `        - ${rule}`).join("\n")}
`

const write = (text: string, name = "app.yaml") => {
  const directory = mkdtempSync(join(tmpdir(), "effect-texas-doctor-"))
  const path = join(directory, name)
  writeFileSync(path, text)
  return path
}

const envFor = (handle: TexasEmulatorHandle) => ({
  NAIS_TOKEN_ENDPOINT: handle.tokenEndpoint,
  NAIS_TOKEN_EXCHANGE_ENDPOINT: `${handle.url}/api/v1/token/exchange`,
  NAIS_TOKEN_INTROSPECTION_ENDPOINT: `${handle.url}/api/v1/introspect`,
  NAIS_CLUSTER_NAME: "dev-gcp"
})

/** The report for a manifest's text, through the line's `Doctor.verify`. */
const verify = async (text: string, env: Record<string, string>, options: D.DoctorOptions = {}) => success(await driver.doctor.verify(text, env, options))

const checkOf = (report: D.DoctorReport, scope: string) => {
  const found = report.checks.find((check) => check.scope === scope)
  if (found === undefined) throw new Error(`no check of ${scope} in ${JSON.stringify(report.checks.map((check) => check.scope))}`)
  return found
}

describe(`Doctor.verify against the emulator (${driver.line})`, () => {
  it("a granted scope is ok with its lifetime; an ungranted one is invalid_scope with the how-to's hint", async () => {
    const report = await verify(manifestText([granted, ungranted]), envFor(emulator))
    expect(report.ok).toBe(false)
    const byScope = new Map(report.checks.map((check) => [check.scope, check]))
    expect(byScope.get("NAIS_TOKEN_ENDPOINT")).toMatchObject({ ok: true })
    expect(byScope.get(granted)).toMatchObject({ ok: true, verdict: expect.stringMatching(/^ok, valid for (59m|1h)/) })
    expect(byScope.get(ungranted)).toMatchObject({ ok: false, verdict: "invalid_scope", error: "invalid_scope" })
    expect(byScope.get(ungranted)?.hint).toMatch(/granted it to organisation 889640782.*15 minutes/)
  })

  it("plain scopes instead of a manifest", async () => {
    const report = success(await driver.doctor.verify([granted], envFor(emulator)))
    expect(report).toMatchObject({ ok: true, checks: [{ scope: "NAIS_TOKEN_ENDPOINT" }, { scope: granted, ok: true }] })
  })

  it("one request per scope, so one bad scope hides none of the others", async () => {
    emulator.reset()
    await verify(manifestText([ungranted, granted, "skatt:third"]), envFor(emulator))
    expect(emulator.requests().map((r) => r.body?.["target"]).sort()).toEqual([granted, ungranted, "skatt:third"].sort())
  })

  it("Entra ID targets from the outbound rules (not `*`); a provider that is not enabled says so", async () => {
    const ok = await verify(manifestText([granted], `${entra}        - application: "*"\n          namespace: q3\n`), envFor(emulator))
    expect(ok.checks.filter((c) => c.kind === "entra_id")).toMatchObject([{ scope: accounts, ok: true }])
    const off = await verify(manifestText([granted], entra), envFor(noEntra))
    expect(off.checks.find((c) => c.kind === "entra_id")).toMatchObject({ ok: false, verdict: "provider not enabled" })
  })

  it("missing and bad variables, and a sidecar that does not answer: only the variables the manifest needs", async () => {
    const missing = await verify(manifestText([granted], entra), {})
    expect(missing.checks.filter((c) => c.kind === "environment").map((c) => [c.scope, c.verdict])).toEqual([["NAIS_TOKEN_ENDPOINT", "not set"]])
    expect(checkOf(missing, granted)).toMatchObject({ status: "not checked", verdict: "not checked: NAIS_TOKEN_ENDPOINT not set" })
    expect(missing.ok).toBe(false)
    const ftp = await verify(manifestText([granted]), { NAIS_TOKEN_ENDPOINT: "ftp://texas/api/v1/token" })
    expect(ftp.checks[0]).toMatchObject({ ok: false, verdict: "not an http(s) URL" })
    const gone = await verify(manifestText([granted]), { NAIS_TOKEN_ENDPOINT: "http://127.0.0.1:9/api/v1/token" })
    expect(checkOf(gone, granted)).toMatchObject({ ok: false, verdict: "unreachable" })
  })

  it("Entra ID, not assigned: invalid_grant (AADSTS501051) names the target's inbound rules, with namespace and cluster when it runs elsewhere", async () => {
    const report = await verify(workload(entraOnly("application: profiles", "application: profiles\n          namespace: other")), envFor(emulator))
    const here = checkOf(report, "api://dev-gcp.team.profiles/.default")
    expect(here).toMatchObject({ ok: false, status: "failed", verdict: "not assigned", error: "invalid_grant" })
    expect(here.errorDescription).toContain("AADSTS501051")
    expect(here.hint).toContain("spec.accessPolicy.inbound.rules in the manifest of profiles")
    expect(here.hint).toContain("{ application: skatt-reporter }")
    expect(here.hint).not.toMatch(/889640782|maskinporten/i)
    expect(here.hint).toMatch(/propagated/)
    const elsewhere = checkOf(report, "api://dev-gcp.other.profiles/.default")
    expect(elsewhere.hint).toContain("{ application: skatt-reporter, namespace: team }")
  })

  it("Entra ID, no such application: invalid_resource (AADSTS500011) says so, apart from not assigned", async () => {
    const report = await verify(workload(entraOnly("application: nobody")), envFor(emulator))
    const check = checkOf(report, "api://dev-gcp.team.nobody/.default")
    expect(check).toMatchObject({ ok: false, verdict: "no such application", error: "invalid_resource" })
    expect(check.hint).toContain("Entra ID knows no application api://dev-gcp.team.nobody")
    expect(check.hint).toContain("spec.azure.application.enabled")
  })

  it("a provider the sidecar runs without names the manifest field that turns it on", async () => {
    const entraOff = checkOf(await verify(workload(entraOnly("application: accounts")), envFor(noEntra)), accounts)
    expect(entraOff).toMatchObject({ ok: false, verdict: "provider not enabled" })
    expect(entraOff.hint).toContain("spec.azure.application.enabled: true")
    const tokenx = checkOf(await verify(workload("  tokenx:\n    enabled: true\n"), envFor(machinesOnly)), "tokenx")
    expect(tokenx).toMatchObject({ kind: "introspection", ok: false, verdict: "provider not enabled" })
    expect(tokenx.hint).toContain("spec.tokenx.enabled: true")
  })

  it("an Entra-only application: its targets, nothing of Maskinporten, and exit-code-0 material when all are granted", async () => {
    const report = await verify(workload(entraOnly("application: accounts", "application: ledger\n          namespace: finance\n          cluster: prod-gcp")), envFor(emulator))
    expect(report).toMatchObject({ ok: true, kind: "Application", cluster: "dev-gcp", warnings: [] })
    expect(report.checks.map((c) => [c.kind, c.scope, c.status])).toEqual([
      ["environment", "NAIS_TOKEN_ENDPOINT", "ok"],
      ["entra_id", accounts, "ok"],
      ["entra_id", ledger, "ok"]
    ])
  })

  it("a Naisjob (nais.io/v1) is read as an Application is; a workload that uses no tokens has nothing to check", async () => {
    const job = await verify(workload(consumes(granted), { kind: "Naisjob", apiVersion: "nais.io/v1" }), envFor(emulator))
    expect(job).toMatchObject({ ok: true, kind: "Naisjob" })
    expect(checkOf(job, granted).ok).toBe(true)
    const nothing = await verify(workload("  replicas:\n    min: 1\n", { kind: "Naisjob", apiVersion: "nais.io/v1" }), envFor(emulator))
    expect(nothing).toMatchObject({ ok: true, checks: [] })
    expect(nothing.warnings.join()).toMatch(/^nothing to check: skatt-reporter \(Naisjob\)/)
  })

  it("another API's Application (Argo CD's) is no nais workload", async () => {
    const argo = await driver.doctor.verify("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: app }\nspec: {}", envFor(emulator))
    expect(failure(argo)).toMatchObject({ _tag: "ManifestError" })
    expect(failure(argo).message).toContain("holds no nais Application or Naisjob")
  })

  it("templated values are not guessed: not checked, named in a warning, and nothing is asked for them", async () => {
    emulator.reset()
    const templated = workload(`  maskinporten:
    enabled: true
    scopes:
      consumes:
        - name: "{{ scope }}"
        - name: "${granted}"
${entraOnly("application: accounts", "application: ledger\n          namespace: finance\n          cluster: prod-gcp")}`, { namespace: "{{ namespace }}" })
    const report = await verify(templated, envFor(emulator))
    expect(report.ok).toBe(true)
    expect(checkOf(report, "{{scope}}")).toMatchObject({ status: "not checked", verdict: "not checked: templated" })
    expect(checkOf(report, "api://dev-gcp.{{namespace}}.accounts/.default")).toMatchObject({ status: "not checked", verdict: "not checked: templated" })
    expect(checkOf(report, ledger).ok).toBe(true)
    expect(report.warnings.join()).toMatch(/template variables not filled: namespace, scope\. The checks that depend on namespace, scope are not checked/)
    expect(emulator.requests().map((r) => r.body?.["target"]).sort()).toEqual([granted, ledger].sort())
    const filled = await verify(templated, envFor(emulator), { variables: { namespace: "team", scope: granted } })
    expect(filled).toMatchObject({ ok: true, warnings: [] })
    expect(filled.checks.map((c) => c.scope)).toEqual(["NAIS_TOKEN_ENDPOINT", granted, granted, accounts, ledger])
  })

  it("without NAIS_CLUSTER_NAME or a cluster given, targets in the own cluster are not checked and the report says why; a cluster given wins", async () => {
    const env = { NAIS_TOKEN_ENDPOINT: emulator.tokenEndpoint }
    const manifest = workload(entraOnly("application: accounts", "application: ledger\n          namespace: finance\n          cluster: prod-gcp"))
    const unknown = await verify(manifest, env)
    expect(unknown.cluster).toBeUndefined()
    expect(checkOf(unknown, "api://<cluster>.team.accounts/.default")).toMatchObject({ status: "not checked", verdict: "not checked: cluster unknown" })
    expect(checkOf(unknown, ledger).ok).toBe(true)
    expect(unknown.warnings.join()).toMatch(/the cluster is not known/)
    const given = await verify(manifest, { ...env, NAIS_CLUSTER_NAME: "prod-gcp" }, { cluster: "dev-gcp" })
    expect(given).toMatchObject({ ok: true, cluster: "dev-gcp", warnings: [] })
  })

  it("TokenX, ID-porten, Entra ID login and exposed Maskinporten scopes: their variables, and one introspection each that comes back inactive", async () => {
    emulator.reset()
    const manifest = workload(`  tokenx:
    enabled: true
  idporten:
    enabled: true
    sidecar:
      enabled: true
  azure:
    application:
      enabled: true
    sidecar:
      enabled: true
  maskinporten:
    enabled: true
    scopes:
      exposes:
        - name: "afp.read"
          product: "helse"
          enabled: true
`)
    const report = await verify(manifest, envFor(emulator))
    expect(report.checks.map((c) => [c.kind, c.scope, c.status])).toEqual([
      ["environment", "NAIS_TOKEN_EXCHANGE_ENDPOINT", "ok"],
      ["environment", "NAIS_TOKEN_INTROSPECTION_ENDPOINT", "ok"],
      ["introspection", "maskinporten", "ok"],
      ["introspection", "entra_id", "ok"],
      ["introspection", "tokenx", "ok"],
      ["introspection", "idporten", "ok"]
    ])
    const asked = emulator.requests()
    expect(asked.map((r) => r.path)).toEqual(Array(4).fill("/api/v1/introspect"))
    expect(asked.map((r) => r.body?.["identity_provider"]).sort()).toEqual(["entra_id", "idporten", "maskinporten", "tokenx"])
    const unset = await verify(manifest, { NAIS_TOKEN_EXCHANGE_ENDPOINT: envFor(emulator).NAIS_TOKEN_EXCHANGE_ENDPOINT })
    expect(checkOf(unset, "NAIS_TOKEN_INTROSPECTION_ENDPOINT")).toMatchObject({ ok: false, verdict: "not set" })
    expect(checkOf(unset, "tokenx")).toMatchObject({ status: "not checked" })
  })

  it("a manifest whose aliases cannot be expanded is a ManifestError from Manifest.parse, not a defect", async () => {
    const unset = failure(await driver.doctor.verify(workload("").replace("name: skatt-reporter", "name: *nowhere"), envFor(emulator)))
    expect(unset._tag).toBe("ManifestError")
    const bomb = failure(await driver.doctor.verify(`${workload("")}\nx: &x [a, a]\ny: &y [*x, *x, *x, *x, *x, *x, *x, *x, *x, *x]\nz: [*y, *y, *y, *y, *y, *y, *y, *y, *y, *y, *y, *y]\n`, envFor(emulator)))
    expect(bomb).toMatchObject({ _tag: "ManifestError", message: expect.stringMatching(/not usable YAML/) })
  })

  it("the startup check passes, or fails startup with a DoctorError when told to", async () => {
    const saved = { ...process.env }
    Object.assign(process.env, envFor(emulator))
    try {
    success(await driver.doctor.startupCheck(write(manifestText([granted])), false))
    const error = failure(await driver.doctor.startupCheck(write(manifestText([ungranted])), true))
    expect(error._tag).toBe("DoctorError")
    expect(error.message).toContain(`${ungranted} (invalid_scope)`)
    expect(error.message).toBe(Messages.doctorFailed((error.fields as { report: Parameters<typeof Messages.doctorFailed>[0] }).report))
    } finally {
    process.env = saved
    }
  })
})

describe(`what the doctor prints (security review) (${driver.line})`, () => {
  it("terminal escape sequences in the sidecar's error_description are neutralised: no fake ok, the FAIL line stays", async () => {
    emulator.reset()
    const forged = "scope missing\u001b[1A\u001b[2K\rok    maskinporten skatt:x  ok\u0007"
    emulator.inject(Fault.respond(400, JSON.stringify({ error: "invalid_scope", error_description: forged }), { "content-type": "application/json" }))
    const report = await verify(manifestText([granted]), envFor(emulator))
    const text = driver.doctor.render(report)
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
    expect(text).toMatch(/^FAIL/m)
    expect(text).toContain("\uFFFD[1A")
  })

  it("a lifetime no date can hold is a typed failure, not 'valid for 99999999d'", async () => {
    emulator.reset()
    emulator.inject(Fault.respond(200, JSON.stringify({ access_token: "a.b.c", token_type: "Bearer", expires_in: 9e12 }), { "content-type": "application/json" }))
    const report = await verify(manifestText([granted]), envFor(emulator))
    const check = report.checks.find((c) => c.scope === granted)
    expect(check).toMatchObject({ ok: false, verdict: "InvalidTokenResponse" })
    expect(check?.errorDescription).toContain("expires_in")
  })
})

// The command as a process: once, the real bin (exit codes reach the shell, nothing is coloured in a pipe).
describe(`effect-texas doctor, run as a process (${driver.line})`, () => {
  const { bin, tsconfig: linesTsconfig } = driver.doctorCommand
  // Resolved here, so the command runs from any working directory (as `npx effect-texas` would).
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href
  // Asynchronous: the emulator answers from this very process while the command runs.
  const spawned = (args: ReadonlyArray<string>, env: Record<string, string>) =>
    new Promise<{ readonly status: number | null; readonly stdout: string; readonly stderr: string }>((resolve) => {
      // The line's tsconfig maps the packages to their sources (no build needed), from any working directory.
      const child = spawn(process.execPath, ["--import", tsx, bin, "doctor", ...args], {
        env: { ...process.env, TSX_TSCONFIG_PATH: linesTsconfig, FORCE_COLOR: "1", ...env }
      })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
      child.on("close", (status) => resolve({ status, stdout, stderr }))
    })

  it("exit 0 and exit 1 reach the shell; a pipe gets no colour", async () => {
    const [ok, failing] = await Promise.all([
      spawned(["--manifest", write(manifestText([granted]))], envFor(emulator)),
      spawned(["--manifest", write(manifestText([granted, ungranted]))], envFor(emulator))
    ])
    expect(ok).toMatchObject({ status: 0, stderr: "" })
    expect(ok.stdout).toContain("all 2 checks passed")
    expect(failing.status).toBe(1)
    expect(failing.stdout).toMatch(/^FAIL {2}maskinporten skatt:not\.granted +invalid_scope$/m)
    expect(`${ok.stdout}${failing.stdout}`).not.toContain("\u001b")
  }, 60_000)
})

// The cases: the same command in-process (Cli.main with this line's verify), written to a pipe.
describe(`effect-texas doctor, the command (${driver.line})`, () => {
  const doctor = (args: ReadonlyArray<string>, env: Record<string, string>, cwd = process.cwd()) => driver.doctorCommand.run(args, env, cwd)

  it("exit 0 when every check passes, 1 when one fails; never a token in the output", async () => {
    const ok = await doctor(["--manifest", write(manifestText([granted]))], envFor(emulator))
    expect(ok.status).toBe(0)
    expect(ok.stdout).toContain("all 2 checks passed")
    const failing = await doctor(["--manifest", write(manifestText([granted, ungranted])), "--json"], envFor(emulator))
    expect(failing.status).toBe(1)
    const report = JSON.parse(failing.stdout) as { checks: ReadonlyArray<Record<string, unknown>> }
    for (const entry of report.checks) expect(Object.keys(entry)).toEqual(expect.arrayContaining(["scope", "ok", "error", "errorDescription"]))
    expectNoTokenIn([ok.stdout, failing.stdout, failing.stderr], emulator.issuedTokens(), "the doctor's output")
  })

  it("finds .nais/*.yaml in the working directory", async () => {
    const directory = mkdtempSync(join(tmpdir(), "effect-texas-doctor-cwd-"))
    mkdirSync(join(directory, ".nais"))
    writeFileSync(join(directory, ".nais", "app.yaml"), manifestText([granted]))
    expect((await doctor([], envFor(emulator), directory)).status).toBe(0)
  })

  /** A link named app.yaml to `target` (what a hostile checkout can hold). */
  const linkTo = (target: string) => {
    const path = join(mkdtempSync(join(tmpdir(), "effect-texas-doctor-link-")), "app.yaml")
    symlinkSync(target, path)
    return path
  }
  /** An alias bomb: each level doubles the one below, far past the YAML library's alias cap. */
  const aliasBomb = ["a: &a [x, x]", ..."bcdefghijklmnopqrst".split("").map((name, index) => `${name}: &${name} [*${"abcdefghijklmnopqrst"[index]}, *${"abcdefghijklmnopqrst"[index]}]`)].join("\n")
  const badInput: ReadonlyArray<readonly [string, () => string, RegExp]> = [
    ["not YAML", () => write("kind: [Application"), /not valid YAML: .* at line 1, column \d+\.$/],
    ["without an Application or Naisjob", () => write("kind: ConfigMap\nmetadata: { name: x }"), /holds no nais Application or Naisjob/],
    ["unreadable", () => "/nonexistent/app.yaml", /cannot read \/nonexistent\/app.yaml: there is no such file \(ENOENT\)\.$/],
    // stat says 0 bytes for a procfs file; read, it is gigabytes. Only the cap plus one byte is read.
    ["that is a link to /proc/self/pagemap", () => linkTo("/proc/self/pagemap"), /cannot read .*app\.yaml: it is larger than 1 MiB\.$/],
    ["that is a device", () => linkTo("/dev/zero"), /cannot read .*app\.yaml: it is not a regular file\.$/],
    ["with an alias to an anchor never set", () => write(workload("").replace("name: skatt-reporter", "name: *nowhere")), /is not (valid|usable) YAML: .*nowhere/],
    ["with an alias bomb", () => write(`${workload("")}\n${aliasBomb}\n`), /is not usable YAML: .*alias/i],
    ["with more template expressions than any manifest needs", () => write(`${workload("")}\n${"x: {{a}}\n".repeat(2_001)}`), /not a template nais\/deploy can render: it has more than 2000 template expressions/],
    ["nesting blocks deeper than any manifest needs", () => write(`${workload("")}\n${"{{#if a}}".repeat(33)}${"{{/if}}".repeat(33)}\n`), /not a template nais\/deploy can render: it nests blocks more than 32 deep/]
  ]
  for (const [name, path, says] of badInput) {
    it(`a manifest ${name}: one whole sentence, exit 2, no stack trace`, async () => {
      const result = await doctor(["--manifest", path()], envFor(emulator))
      expect(result.status).toBe(2)
      expect(result.stderr.trim()).toMatch(says)
      expect(result.stderr.trim().split("\n")).toHaveLength(1)
      expect(result.stderr).not.toMatch(/\n\s+at /)
    })
  }

  it("a --vars file that is a procfs link or an alias bomb: exit 2 and one sentence, as a manifest would", async () => {
    const manifest = write(workload(consumes(granted)))
    for (const [vars, says] of [[linkTo("/proc/self/pagemap"), /it is larger than 1 MiB\.$/], [write(aliasBomb, "vars.yaml"), /the variables file .* is not usable YAML/]] as const) {
      const result = await doctor(["--manifest", manifest, "--vars", vars], envFor(emulator))
      expect(result.status).toBe(2)
      expect(result.stderr.trim()).toMatch(says)
      expect(result.stderr.trim().split("\n")).toHaveLength(1)
    }
  })

  it("a template's {{log}} writes nothing: under --json stdout is the one document (the manifest is refused, exit 2)", async () => {
    const forged = JSON.stringify({ ok: true, checks: [] })
    const result = await doctor(["--json", "--manifest", write(`${workload(consumes(granted))}\n# {{log '${forged}'}}\n`)], envFor(emulator))
    expect(result.status).toBe(2)
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { kind: "manifest", message: expect.stringContaining("`log`") } })
    expect(result.stderr).toBe("")
  })

  it("a workload's name with terminal escapes is printed neutralised in warnings and errors, on stderr too", async () => {
    const escaped = "\\e[2K\\e[1Aok all checks passed"
    const job = await doctor(["--manifest", write(workload("", { kind: "Naisjob", apiVersion: "nais.io/v1" }).replace("name: skatt-reporter", `name: "${escaped}"`))], envFor(emulator))
    expect(job.status).toBe(0)
    expect(job.stderr).toMatch(/^warning: nothing to check: \uFFFD\[2K\uFFFD\[1Aok all checks passed/)
    const unusable = await doctor(["--manifest", write(`kind: Application\nmetadata: { name: x }\nspec: [\n# "\\e[2K`)], envFor(emulator))
    expect(unusable.status).toBe(2)
    for (const printed of [job.stdout, job.stderr, unusable.stderr]) expect(printed).not.toContain("\u001b")
  })

  it("every manifest the docs show (a yaml block with a kind) passes the doctor against the emulator", async () => {
    const repository = join(import.meta.dirname, "..")
    const readmes = (folder: string) => readdirSync(join(repository, folder)).map((name) => `${folder}/${name}/README.md`).filter((path) => existsSync(join(repository, path)))
    const documents = [
      "README.md",
      "effect4/README.md",
      ...readdirSync(join(repository, "docs", "guides")).map((file) => `docs/guides/${file}`),
      ...readmes("packages"),
      ...readmes("effect4/packages")
    ]
    const manifests = documents.flatMap((document) =>
      [...readFileSync(join(repository, document), "utf8").matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((match) => match[1]!).filter((block) => /^kind: (Application|Naisjob)$/m.test(block)).map((block) => [document, block] as const))
    expect(manifests.length).toBeGreaterThan(0)
    const everything = await startTexasEmulator()
    try {
      for (const [document, manifest] of manifests) {
        const result = await doctor(["--manifest", write(manifest)], envFor(everything))
        expect({ document, status: result.status, stderr: result.stderr }).toEqual({ document, status: 0, stderr: "" })
      }
    } finally {
      await everything.close()
    }
  })

  it("--json prints one JSON document on stdout also when the manifest is unusable", async () => {
    const result = await doctor(["--json", "--manifest", write("kind: ConfigMap")], envFor(emulator))
    expect(result.status).toBe(2)
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { kind: "manifest", exitCode: 2, message: expect.stringMatching(/holds no nais Application or Naisjob/) } })
    expect(result.stderr).toBe("")
  })

  it("a wrong command line is exit 64 with one sentence and where to look, or one JSON document with --json", async () => {
    const unknown = await doctor(["--manifets", "app.yaml"], envFor(emulator))
    expect(unknown.status).toBe(64)
    expect(unknown.stderr).toBe("effect-texas doctor: unknown option --manifets.\nRun `effect-texas doctor --help` for its options.\n")
    const json = await doctor(["--json", "--var", "no-equals-sign"], envFor(emulator))
    expect(json.status).toBe(64)
    expect(JSON.parse(json.stdout)).toEqual({ ok: false, error: { kind: "usage", message: "--var takes <name>=<value> (got no-equals-sign).", exitCode: 64 } })
  })

  it("--help is written for the command: its usage, every option, exit codes, the variables it reads, an example, and no colour in a pipe", async () => {
    const result = await doctor(["--help"], { ...envFor(emulator), FORCE_COLOR: "1" })
    expect(result.status).toBe(0)
    expect(result.stdout).toContain("effect-texas doctor [--manifest <file>]")
    for (const option of ["--manifest <file>", "--cluster <name>", "--var <name>=<value>", "--vars <file>", "--json", "--help"]) expect(result.stdout).toContain(option)
    for (const variable of ["NAIS_TOKEN_ENDPOINT", "NAIS_TOKEN_INTROSPECTION_ENDPOINT", "NAIS_CLUSTER_NAME", "NO_COLOR"]) expect(result.stdout).toContain(variable)
    expect(result.stdout).toMatch(/Exit codes\n {2}0 .*\n[\s\S]* {2}1 .*\n[\s\S]* {2}2 .*\n[\s\S]* {2}64 /)
    expect(result.stdout).toMatch(/Example\n {2}effect-texas doctor /)
    expect(result.stdout).not.toContain("\u001b")
    expect(result.stdout).not.toMatch(/--wizard|--completions/)
  })

  it("an Entra-only Application and a Naisjob without tokens: exit 0, the table, nothing to check said plainly", async () => {
    const entraApp = await doctor(["--manifest", write(workload(entraOnly("application: accounts")))], envFor(emulator))
    expect(entraApp.status).toBe(0)
    expect(entraApp.stdout).toMatch(/^ok {4}entra_id +api:\/\/dev-gcp\.team\.accounts\/\.default +ok, valid for (59m|1h)/m)
    expect(entraApp.stdout).not.toContain("\u001b")
    const job = await doctor(["--manifest", write(workload("  schedule: \"0 * * * *\"\n", { kind: "Naisjob", apiVersion: "nais.io/v1" }))], envFor(emulator))
    expect(job).toMatchObject({ status: 0, stdout: "skatt-reporter: nothing to check\n" })
    expect(job.stderr).toMatch(/^warning: nothing to check: skatt-reporter \(Naisjob\)/)
  })

  it("a templated manifest: not checked with a warning, then filled with --var and --vars as nais/deploy fills it; --cluster", async () => {
    const manifest = write(workload(`${consumes("{{ scope }}")}${entraOnly("application: accounts")}`, { namespace: "{{ namespace }}" }))
    const env = { NAIS_TOKEN_ENDPOINT: emulator.tokenEndpoint }
    const unfilled = await doctor(["--manifest", manifest], env)
    expect(unfilled.status).toBe(0)
    expect(unfilled.stderr).toContain("warning: template variables not filled: namespace, scope.")
    expect(unfilled.stdout).toMatch(/^SKIP {2}maskinporten +\{\{scope\}\} +not checked: templated$/m)
    const vars = write("namespace: team\nscope: skatt:not.this.one\n", "vars.yaml")
    const filled = await doctor(["--manifest", manifest, "--vars", vars, "--var", `scope=${granted}`, "--cluster", "dev-gcp", "--json"], env)
    expect(filled.status).toBe(0)
    const report = JSON.parse(filled.stdout) as D.DoctorReport
    expect(report).toMatchObject({ ok: true, cluster: "dev-gcp", warnings: [] })
    expect(report.checks.map((check) => [check.scope, check.status])).toEqual([["NAIS_TOKEN_ENDPOINT", "ok"], [granted, "ok"], [accounts, "ok"]])
  })
})
