/**
 * Publish-readiness of every package (`npm run check:packages`, part of
 * `npm test`, after `npm run build`):
 *
 * - `npm pack --dry-run` lists only `package.json`, `README.md`, `LICENSE` and `dist/`;
 * - the types resolve for ESM and CommonJS consumers, every entry point (`@arethetypeswrong/cli`, node16 profile);
 * - every package has the same version, and the changelog has an entry for it;
 * - the Effect 4 line's packages (ESM only, as effect 4 is) pack the same way, their types
 *   resolve for ESM consumers (attw, esm-only profile), and they share one major version 1.
 */
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"

const effect4Packages = ["core", "testkit", "http-client", "http-server", "altinn", "cli"].map((name) => `effect4/packages/${name}`)
const packages = ["protocol", "emulator", "core", "testkit", "http-client", "http-server", "doctor", "cli", "altinn"]
const allowed = (path: string) => ["package.json", "README.md", "LICENSE"].includes(path) || path.startsWith("dist/")

let failures = 0
const fail = (message: string) => {
  failures++
  console.log(`FAIL ${message}`)
}

/** A command's exit status and output, without blocking the other package's check. */
const run = (command: string, args: ReadonlyArray<string>, cwd = ".") =>
  new Promise<{ readonly status: number | null; readonly stdout: string; readonly stderr: string }>((resolve) => {
    const child = spawn(command, args, { cwd })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.on("close", (status) => resolve({ status, stdout, stderr }))
  })

const versions = new Set<string>()

/** One package: what it would ship, and whether its types resolve for its consumers. */
const check = async (directory: string) => {
  const effect4 = directory.startsWith("effect4/")
  const manifest = JSON.parse(readFileSync(`${directory}/package.json`, "utf8")) as { name: string; version: string }
  if (!effect4) versions.add(manifest.version)
  else if (!manifest.version.startsWith("1.")) fail(`${manifest.name} (Effect 4 line): version ${manifest.version} is not 1.x`)

  const pack = await run("npm", ["pack", "--dry-run", "--json"], directory)
  if (pack.status !== 0) return fail(`${manifest.name}: npm pack failed\n${pack.stderr}`)
  const files = (JSON.parse(pack.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path)
  const stray = files.filter((path) => !allowed(path))
  if (stray.length > 0) fail(`${manifest.name}: the package would ship ${stray.join(", ")}`)
  for (const needed of ["README.md", "LICENSE", "dist/index.js", "dist/index.d.ts"]) {
    if (!files.includes(needed)) fail(`${manifest.name}: the package lacks ${needed}`)
  }

  const attw = await run("npx", ["attw", "--pack", directory, "--profile", effect4 ? "esm-only" : "node16", "--format", "ascii"])
  const consumers = effect4 ? "ESM (attw, esm-only; effect 4 is ESM only)" : "ESM and CommonJS (attw, node16)"
  if (attw.status !== 0) fail(`${manifest.name}: types do not resolve for ${consumers}\n${attw.stdout}${attw.stderr}`)
  else console.log(`ok   ${manifest.name}@${manifest.version}: ${files.length} files (dist, README.md, LICENSE); types resolve from ${consumers}`)
}

// Two packages at a time (the checks are single-threaded; CI has two cores).
const queue = [...packages.map((name) => `packages/${name}`), ...effect4Packages]
const worker = async () => {
  for (let directory = queue.shift(); directory !== undefined; directory = queue.shift()) await check(directory)
}
await Promise.all([worker(), worker()])

if (versions.size !== 1) fail(`packages disagree on their version: ${[...versions].join(", ")}`)
const [version] = [...versions]
if (!readFileSync("CHANGELOG.md", "utf8").includes(`## ${version}`)) fail(`CHANGELOG.md has no entry for ${version}`)
process.exit(failures === 0 ? 0 : 1)
