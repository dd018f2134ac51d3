/**
 * The release scripts' child processes and temporary files, cleaned up however the script ends:
 * each child runs in a process group of its own (`npm install` starts more processes: a group
 * stops them all), and every group is stopped and every temporary path removed on exit, on a
 * failed step, on Ctrl-C (SIGINT) and on a CI time-out's SIGTERM.
 */
import { type ChildProcess, spawn, type SpawnOptions } from "node:child_process"
import { rmSync } from "node:fs"

const groups = new Set<ChildProcess>()
const paths = new Set<string>()
let installed = false

const install = () => {
  if (installed) return
  installed = true
  // On exit only synchronous work runs: each group is killed outright, and the paths removed.
  process.once("exit", () => {
    signalAll("SIGKILL")
    removePaths()
  })
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.once(signal, () => {
      cleanUp().finally(() => process.exit(code))
    })
  }
}

/** Sends `signal` to every tracked child's process group (a group already gone is skipped). */
const signalAll = (signal: NodeJS.Signals): void => {
  for (const child of groups) {
    if (child.pid === undefined) continue
    try {
      process.kill(-child.pid, signal)
    } catch {
      // The group has ended already.
    }
  }
}

const removePaths = () => {
  // A process killed a moment ago may still have had a file open: retry a few times.
  for (const path of paths) rmSync(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
  paths.clear()
}

/** Stops every tracked child's process group (SIGTERM). */
export const stopAll = (): void => signalAll("SIGTERM")

/**
 * Stops every child and removes every temporary path, as on a signal: SIGTERM to each group, up
 * to 3 s for the groups' leaders to exit, SIGKILL to whatever is left, then the paths.
 */
export const cleanUp = async (): Promise<void> => {
  const leaders = [...groups].filter((child) => child.exitCode === null && child.signalCode === null)
  stopAll()
  await Promise.race([
    Promise.all(leaders.map((child) => new Promise((done) => child.once("exit", done)))),
    new Promise((done) => setTimeout(done, 3_000))
  ])
  signalAll("SIGKILL")
  await new Promise((done) => setTimeout(done, 100))
  removePaths()
}

/** `spawn` in a process group of its own, stopped with the others at the end. */
export const spawnTracked = (command: string, args: ReadonlyArray<string>, options: SpawnOptions = {}): ChildProcess => {
  install()
  const child = spawn(command, args, { ...options, detached: true })
  groups.add(child)
  // The group (npm's own children too) goes when its leader exits.
  child.once("exit", () => {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGTERM")
      } catch {
        // Nothing left in the group.
      }
    }
    groups.delete(child)
  })
  return child
}

/** Removes `path` at the end (also on a signal), unless `release` removed it first. */
export const removeAtExit = (path: string): { readonly release: () => void } => {
  install()
  paths.add(path)
  return {
    release: () => {
      paths.delete(path)
      rmSync(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
    }
  }
}
