/**
 * `npm run release:version` on a copy of the repository's manifests: the root's changesets version
 * the Effect 3 line and the shared packages, the Effect 4 line follows a shared package that moved
 * (its range, and a patch in its changelog), and `effect4/.changeset` versions the Effect 4 line.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { plannedVersions, repository, version } from "./release.js"

let copy: string

/** The manifests, changelogs and changeset folders: what `changeset version` reads and writes. */
const copyManifests = () => {
  const target = mkdtempSync(join(tmpdir(), "effect-texas-version-"))
  for (const line of ["", "effect4"]) {
    const from = join(repository, line)
    mkdirSync(join(target, line, ".changeset"), { recursive: true })
    cpSync(join(from, "package.json"), join(target, line, "package.json"))
    cpSync(join(from, ".changeset", "config.json"), join(target, line, ".changeset", "config.json"))
    for (const name of readdirSync(join(from, "packages"))) {
      mkdirSync(join(target, line, "packages", name), { recursive: true })
      for (const file of ["package.json", "CHANGELOG.md"]) cpSync(join(from, "packages", name, file), join(target, line, "packages", name, file))
    }
  }
  return target
}

const changeset = (line: "" | "effect4", file: string, bumps: Record<string, string>, summary: string) =>
  writeFileSync(
    join(copy, line, ".changeset", file),
    `---\n${Object.entries(bumps).map(([name, bump]) => `"${name}": ${bump}`).join("\n")}\n---\n\n${summary}\n`
  )

const manifest = (path: string) => JSON.parse(readFileSync(join(copy, path, "package.json"), "utf8")) as { version: string; dependencies?: Record<string, string> }
const changelog = (path: string) => readFileSync(join(copy, path, "CHANGELOG.md"), "utf8")

beforeEach(() => {
  copy = copyManifests()
})
afterEach(() => rmSync(copy, { recursive: true, force: true }))

describe("npm run release:version", () => {
  it("versions the shared packages once, each line on its own major, and the Effect 4 line follows a shared package that moved", async () => {
    changeset("", "protocol.md", { "@effect-texas/protocol": "minor", "@effect-texas/core": "patch" }, "The sidecar's new field.")
    changeset("effect4", "client.md", { "@effect-texas/http-client": "minor" }, "A new option on authenticate.")

    const { dependents } = await version({ root: copy, lockfiles: false })

    expect(manifest("packages/protocol").version).toBe("0.2.0")
    expect(manifest("packages/core").version).toBe("0.1.1")
    expect(manifest("packages/emulator").version).toBe("0.1.0")
    expect(changelog("packages/core")).toMatch(/## 0\.1\.1\n\n### Patch Changes\n\n- The sidecar's new field\.\n[\s\S]*@effect-texas\/protocol@0\.2\.0/)
    expect(manifest("effect4/packages/core").dependencies?.["@effect-texas/protocol"]).toBe("^0.2.0")
    expect(manifest("effect4/packages/core").version).toBe("1.0.1")
    expect(manifest("effect4/packages/http-client").version).toBe("1.1.0")
    // The testkit takes its messages from protocol, so it follows it too.
    expect(manifest("effect4/packages/testkit").version).toBe("1.0.1")
    expect(dependents).toContain("@effect-texas/core")
    expect(changelog("effect4/packages/core")).toMatch(/## 1\.0\.1\n\n### Patch Changes\n\n- Updated dependencies: @effect-texas\/protocol@0\.2\.0/)
    expect(changelog("effect4/packages/http-client")).toMatch(/## 1\.1\.0\n\n### Minor Changes\n\n- A new option on authenticate\./)
    // Every changeset is used up.
    for (const line of ["", "effect4"]) expect(readdirSync(join(copy, line, ".changeset")).filter((file) => file.endsWith(".md"))).toEqual([])
  }, 60_000)

  it("plans the versions `@since` may name before they ship: the largest bump of a package's own changesets", () => {
    changeset("", "a.md", { "@effect-texas/core": "patch" }, "A fix.")
    changeset("", "b.md", { "@effect-texas/core": "minor", "@effect-texas/doctor": "patch" }, "A new export.")
    changeset("effect4", "c.md", { "@effect-texas/core": "major" }, "A break.")
    expect(Object.fromEntries(plannedVersions(copy))).toEqual({
      "effect3:@effect-texas/core": "0.2.0",
      "effect3:@effect-texas/doctor": "0.1.1",
      "effect4:@effect-texas/core": "2.0.0"
    })
  })

  it("refuses an Effect 4 changeset that names a shared package, before changing anything", async () => {
    changeset("effect4", "shared.md", { "@effect-texas/protocol": "patch" }, "Versioned from the wrong folder.")
    await expect(version({ root: copy, lockfiles: false })).rejects.toThrow(/effect4\/\.changeset names a shared package .*shared\.md/)
    expect(manifest("packages/protocol").version).toBe("0.1.0")
  })
})
