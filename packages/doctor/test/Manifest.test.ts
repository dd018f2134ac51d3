/**
 * The shared manifest reading: what both lines' `Manifest` wrap.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Checkup, Manifest } from "@effect-texas/doctor"
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
    const planned = Checkup.plan(manifest, { NAIS_TOKEN_ENDPOINT: "http://127.0.0.1:7164/api/v1/token" })
    expect(planned.asks).toEqual([{ kind: "maskinporten", scope: "skatt:some.scope" }])
    expect(planned.endpoint).toBe("http://127.0.0.1:7164/api/v1/token")
    const unset = Checkup.plan(manifest, {})
    expect(unset.endpoint).toBeUndefined()
    expect(unset.checks).toMatchObject([{ scope: "NAIS_TOKEN_ENDPOINT", ok: false, verdict: "not set" }])
  })

  it("lifetimes read as a person would: 59m 59s, 1d 1h, 0s", () => {
    const ask = { kind: "maskinporten", scope: "a:b" } as const
    expect([3599, 90_000, 0].map((seconds) => Checkup.granted(ask, seconds).verdict)).toEqual(["ok, valid for 59m 59s", "ok, valid for 1d 1h", "ok, valid for 0s"])
  })
})
