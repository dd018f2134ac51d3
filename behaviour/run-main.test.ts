/**
 * Programs end as the guides end theirs, in the platform runtime's `runMain`, so a failure prints its
 * cause and the process exits 1: a missing `NAIS_TOKEN_ENDPOINT` is named, not reported as
 * `[object Object]` (what Node prints for a rejected `Effect.runPromise`). The program runs as a
 * process on this line, once without the variable and once against the emulator.
 */
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import { pathToFileURL } from "node:url"
import { startTexasEmulator } from "@effect-texas/emulator"
import { describe, expect, it } from "vitest"
import { driver } from "./setup.js"

const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href

const runMain = (env: Readonly<Record<string, string>>) =>
  new Promise<{ readonly status: number | null; readonly output: string }>((resolve) => {
    const inherited = { ...process.env }
    delete inherited["NAIS_TOKEN_ENDPOINT"]
    const child = spawn(process.execPath, ["--import", tsx, driver.mainProgram], {
      env: { ...inherited, TSX_TSCONFIG_PATH: driver.doctorCommand.tsconfig, ...env }
    })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.on("close", (status) => resolve({ status, output }))
  })

describe(`a program ending in runMain (${driver.line})`, () => {
  it("without NAIS_TOKEN_ENDPOINT exits 1 and names the variable", async () => {
    const ran = await runMain({})
    expect(ran.status).toBe(1)
    expect(ran.output).toContain("NAIS_TOKEN_ENDPOINT")
    expect(ran.output).not.toContain("[object Object]")
  }, 60_000)

  it("with it, gets its token and exits 0", async () => {
    const emulator = await startTexasEmulator({ grantedScopes: ["skatt:some.scope"] })
    try {
      const ran = await runMain({ NAIS_TOKEN_ENDPOINT: emulator.tokenEndpoint })
      expect(ran).toMatchObject({ status: 0 })
      expect(ran.output).toContain("token for skatt:some.scope, Bearer")
    } finally {
      await emulator.close()
    }
  }, 60_000)
})
