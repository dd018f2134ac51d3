/// <reference types="vitest/globals" />
/**
 * `effect-texas doctor` as a user runs it, on each line's own command
 * (Effect 3's `@effect-texas/cli@0`, Effect 4's `@effect-texas/cli@1`): the
 * same checks, verdicts, output and exit codes from the shared
 * `@effect-texas/doctor`.
 */
import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Fault, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import { driver, failure, success } from "./setup.js"

const granted = "skatt:some.scope"
const ungranted = "skatt:not.granted"

let emulator: TexasEmulatorHandle
let noEntra: TexasEmulatorHandle
beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: [granted, "api://dev-gcp.team.accounts/.default"] })
  noEntra = await startTexasEmulator({ enabledProviders: ["maskinporten"] })
})
afterAll(async () => {
  await emulator.close()
  await noEntra.close()
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
const verify = async (text: string, env: Record<string, string>) => success(await driver.doctor.verify(text, env))

describe(`Doctor.verify against the emulator (${driver.line})`, () => {
  it("a granted scope is ok with its lifetime; an ungranted one is invalid_scope with the how-to's hint", async () => {
    const report = await verify(manifestText([granted, ungranted]), envFor(emulator))
    expect(report.ok).toBe(false)
    const byScope = new Map(report.checks.map((check) => [check.scope, check]))
    expect(byScope.get("NAIS_TOKEN_ENDPOINT")).toMatchObject({ ok: true })
    expect(byScope.get(granted)).toMatchObject({ ok: true, verdict: expect.stringMatching(/^ok, valid for 59m/) })
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

  it("Entra ID targets from the outbound rules; a provider that is not enabled says so", async () => {
    const ok = await verify(manifestText([granted], entra), envFor(emulator))
    expect(ok.checks.find((c) => c.kind === "entra_id")).toMatchObject({ scope: "api://dev-gcp.team.accounts/.default", ok: true })
    const off = await verify(manifestText([granted], entra), envFor(noEntra))
    expect(off.checks.find((c) => c.kind === "entra_id")).toMatchObject({ ok: false, verdict: "provider not enabled" })
  })

  it("missing and bad variables, and a sidecar that does not answer", async () => {
    const missing = await verify(manifestText([granted], entra), {})
    expect(missing.checks.filter((c) => c.kind === "environment").map((c) => c.verdict)).toEqual(["not set", "not set", "not set"])
    const ftp = await verify(manifestText([granted]), { NAIS_TOKEN_ENDPOINT: "ftp://texas/api/v1/token" })
    expect(ftp.checks[0]).toMatchObject({ ok: false, verdict: "not an http(s) URL" })
    const gone = await verify(manifestText([granted]), { NAIS_TOKEN_ENDPOINT: "http://127.0.0.1:9/api/v1/token" })
    expect(gone.checks.find((c) => c.scope === granted)).toMatchObject({ ok: false, verdict: "unreachable" })
  })

  it("the startup check passes, or fails startup with a DoctorError when told to", async () => {
    const saved = { ...process.env }
    Object.assign(process.env, envFor(emulator))
    try {
    success(await driver.doctor.startupCheck(write(manifestText([granted])), false))
    const error = failure(await driver.doctor.startupCheck(write(manifestText([ungranted])), true))
    expect(error._tag).toBe("DoctorError")
    expect(error.message).toContain(`${ungranted} (invalid_scope)`)
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

// Each case runs the command in a process of its own: concurrently, as they share nothing but the emulator.
describe.concurrent(`effect-texas doctor, run as a command (${driver.line})`, () => {
  const { bin, tsconfig: linesTsconfig } = driver.doctorCommand
  // Resolved here, so the command runs from any working directory (as `npx effect-texas` would).
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href
  // Asynchronous: the emulator answers from this very process while the command runs.
  const doctor = (args: ReadonlyArray<string>, env: Record<string, string>, cwd = process.cwd()) =>
    new Promise<{ readonly status: number | null; readonly stdout: string; readonly stderr: string }>((resolve) => {
      // The line's tsconfig maps the packages to their sources (no build needed), from any working directory.
      const child = spawn(process.execPath, ["--import", tsx, bin, "doctor", ...args], {
        cwd,
        env: { ...process.env, TSX_TSCONFIG_PATH: linesTsconfig, ...env }
      })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
      child.on("close", (status) => resolve({ status, stdout, stderr }))
    })

  it("exit 0 when every check passes, 1 when one fails; never a token in the output", async () => {
    const ok = await doctor(["--manifest", write(manifestText([granted]))], envFor(emulator))
    expect(ok.status).toBe(0)
    expect(ok.stdout).toContain("all 2 checks passed")
    const failing = await doctor(["--manifest", write(manifestText([granted, ungranted])), "--json"], envFor(emulator))
    expect(failing.status).toBe(1)
    const report = JSON.parse(failing.stdout) as { checks: ReadonlyArray<Record<string, unknown>> }
    for (const entry of report.checks) expect(Object.keys(entry)).toEqual(expect.arrayContaining(["scope", "ok", "error", "errorDescription"]))
    for (const token of emulator.issuedTokens()) expect(`${ok.stdout}${failing.stdout}${failing.stderr}`).not.toContain(token)
  })

  it("finds .nais/*.yaml in the working directory", async () => {
    const directory = mkdtempSync(join(tmpdir(), "effect-texas-doctor-cwd-"))
    mkdirSync(join(directory, ".nais"))
    writeFileSync(join(directory, ".nais", "app.yaml"), manifestText([granted]))
    expect((await doctor([], envFor(emulator), directory)).status).toBe(0)
  })

  const badInput: ReadonlyArray<readonly [string, () => string, RegExp]> = [
    ["not YAML", () => write("kind: [Application"), /not valid YAML/],
    ["not an Application", () => write("kind: ConfigMap\nmetadata: { name: x }"), /no nais Application/],
    ["without a maskinporten section", () => write("kind: Application\nmetadata: { name: app }\nspec: {}"), /declares no Maskinporten scopes/],
    ["with an empty scope list", () => write(manifestText([])), /declares no Maskinporten scopes/],
    ["unreadable", () => "/nonexistent/app.yaml", /cannot read \/nonexistent\/app.yaml/]
  ]
  for (const [name, path, says] of badInput) {
    it(`a manifest ${name}: one sentence, exit 2, no stack trace`, async () => {
      const result = await doctor(["--manifest", path()], envFor(emulator))
      expect(result.status).toBe(2)
      expect(result.stderr.trim()).toMatch(says)
      expect(result.stderr.trim().split("\n")).toHaveLength(1)
      expect(result.stderr).not.toMatch(/\n\s+at /)
    })
  }
})
