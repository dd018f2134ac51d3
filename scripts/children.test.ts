/**
 * The release scripts' children (`scripts/children.ts`): on SIGTERM every child's whole process
 * group stops (npm's own children too) and the temporary folder is removed.
 */
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { pathToFileURL } from "node:url"
import { describe, expect, it } from "vitest"

/** Whether `pid` is running (an exited process not yet reaped, a zombie, is not). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"))
  } catch {
    return false
  }
}

/** `check()` once it holds, or its last value after `ms`. */
const eventually = async <A>(check: () => A, holds: (value: A) => boolean, ms = 5_000): Promise<A> => {
  const until = Date.now() + ms
  let value = check()
  while (!holds(value) && Date.now() < until) {
    await new Promise((wait) => setTimeout(wait, 50))
    value = check()
  }
  return value
}

describe("scripts/children.ts", () => {
  it("on SIGTERM stops each child's process group, grandchildren included, and removes the registered folder", async () => {
    const work = mkdtempSync(join(tmpdir(), "effect-texas-children-"))
    const script = join(work, "script.ts")
    writeFileSync(script, [
      `import { mkdtempSync } from "node:fs"`,
      `import { join } from "node:path"`,
      `import { removeAtExit, spawnTracked } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, "children.ts")).href)}`,
      `const folder = mkdtempSync(join(${JSON.stringify(work)}, "storage-"))`,
      `removeAtExit(folder)`,
      // A child that starts a grandchild in the background, as npm starts its scripts.
      `const child = spawnTracked("sh", ["-c", "sleep 60 & echo $!; wait"])`,
      `child.stdout!.once("data", (pid) => console.log(JSON.stringify({ folder, child: child.pid, grandchild: Number(String(pid).trim()) })))`,
      `setInterval(() => undefined, 1000)`
    ].join("\n"))
    const runner = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "inherit"] })
    const [line] = (await new Promise<Array<string>>((resolve) => createInterface({ input: runner.stdout }).once("line", (text) => resolve([text])))) as [string]
    const started = JSON.parse(line) as { folder: string; child: number; grandchild: number }
    expect([alive(started.child), alive(started.grandchild), existsSync(started.folder)]).toEqual([true, true, true])
    runner.kill("SIGTERM")
    const code = await new Promise<number | null>((resolve) => runner.once("exit", (exitCode) => resolve(exitCode)))
    expect(code).toBe(143)
    const after = await eventually(() => [alive(started.child), alive(started.grandchild), existsSync(started.folder)], (states) => states.every((state) => !state))
    expect(after).toEqual([false, false, false])
  }, 30_000)
})
