/**
 * `effect-texas-emulator` started as a reader starts it, with the variables it prints to export
 * (`NAIS_TOKEN_ENDPOINT`, `API_URL`, …), read until its `Ready` line. Shared by the scripts that run
 * programs against it (`run-examples.ts`, `run-snippets.ts`, `rehearse-release.ts`); the child is
 * tracked (`children.ts`), so it stops with the script however that ends.
 */
import type { ChildProcess } from "node:child_process"
import { createInterface } from "node:readline"
import { spawnTracked } from "./children.js"

export interface EmulatorCommand {
  readonly child: ChildProcess
  /** What it printed to export, by name. */
  readonly env: Readonly<Record<string, string>>
}

/** Runs `command args` (on a free port) in `cwd` until it says it is ready. */
export const startEmulatorCommand = (command: string, args: ReadonlyArray<string>, cwd: string) =>
  new Promise<EmulatorCommand>((done, fail) => {
    const child = spawnTracked(command, [...args, "--port", "0"], { cwd })
    const env: Record<string, string> = {}
    const timer = setTimeout(() => fail(new Error("the emulator command was not ready within 30 s")), 30_000)
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const exported = /export (\w+)=(\S+)/.exec(line)
      if (exported !== null) env[exported[1]!] = exported[2]!
      if (line.startsWith("Ready")) {
        clearTimeout(timer)
        done({ child, env })
      }
    })
    child.once("exit", (code) => fail(new Error(`the emulator command exited (${code})`)))
  })
