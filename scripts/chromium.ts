/**
 * Debian's Chromium for the browser tests (`npm run test:browser`): the path of `/usr/bin/chromium`,
 * installed with apt first when the machine lacks it, so a fresh machine (CI) gets it from the
 * project's own files. No browser is downloaded from a test tool's hosts (they are not reachable);
 * only Debian's packages are.
 *
 *   tsx scripts/chromium.ts      installs it if needed and prints its version
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

export const chromiumPath = "/usr/bin/chromium"

/** Runs apt-get as root: directly when we are root, else through `sudo -n` (never asking for a password). */
const aptGet = (args: ReadonlyArray<string>): void => {
  const root = process.getuid?.() === 0
  const [command, commandArgs] = root ? ["apt-get", args] : ["sudo", ["-n", "apt-get", ...args]]
  const run = spawnSync(command, [...commandArgs], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } })
  if (run.status !== 0) {
    throw new Error(`\`${[command, ...commandArgs].join(" ")}\` failed (exit ${run.status}): the browser tests need Debian's chromium package; install it (apt-get install chromium) and run them again`)
  }
}

/** The path of Chromium, installed from Debian's packages when it is not there. */
export const ensureChromium = (): string => {
  if (existsSync(chromiumPath)) return chromiumPath
  console.log("Installing Debian's chromium for the browser tests (once per machine)…")
  aptGet(["update", "-qq"])
  aptGet(["install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"])
  if (!existsSync(chromiumPath)) throw new Error(`apt installed chromium, but ${chromiumPath} is not there`)
  return chromiumPath
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = ensureChromium()
  const version = spawnSync(path, ["--version"], { encoding: "utf8" })
  console.log(version.stdout.trim() || `${path} is installed`)
}
