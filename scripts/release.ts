/**
 * The release, in two steps (README "Contributing"):
 *
 * - `npm run release:version` (`tsx scripts/release.ts version`): applies the pending changesets.
 *   The root's `.changeset` versions the Effect 3 line and the shared packages; when that moves a
 *   shared package, the Effect 4 packages that depend on it get the new range and a patch
 *   changeset saying so (as changesets does for dependents within one root); then
 *   `effect4/.changeset` versions the Effect 4 line. Both lockfiles follow.
 * - `npm run release:publish` (both lines built from a clean state, then
 *   `tsx scripts/release.ts publish`): `npm publish` of every package whose version the registry
 *   does not have yet, the shared packages first, the Effect 4 line last. Each package's
 *   `publishConfig` says how: public, with provenance, and the Effect 3 line under the dist-tag
 *   `effect3`, so that `latest` is the Effect 4 line.
 *
 * `scripts/rehearse-release.ts` runs the same `publish` against a registry on loopback.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { removeAtExit, spawnTracked } from "./children.js"

export const repository = resolve(import.meta.dirname, "..")

/** The packages both lines use, versioned once, from the root's `.changeset`. */
export const sharedNames = ["protocol", "emulator", "doctor"] as const
const lineNames = ["core", "http-client", "http-server", "testkit", "altinn", "cli"] as const

export interface Package {
  readonly directory: string
  readonly name: string
  readonly version: string
  readonly line: "shared" | "effect3" | "effect4"
}

interface Manifest {
  readonly name: string
  readonly version: string
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
}

const manifestAt = (directory: string): Manifest => JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as Manifest

/** Every published package, in the order they are published. */
export const packages = (root = repository): ReadonlyArray<Package> => {
  const at = (line: Package["line"], directory: string): Package => {
    const { name, version } = manifestAt(directory)
    return { directory, name, version, line }
  }
  return [
    ...sharedNames.map((name) => at("shared", join(root, "packages", name))),
    ...lineNames.map((name) => at("effect3", join(root, "packages", name))),
    ...lineNames.map((name) => at("effect4", join(root, "effect4", "packages", name)))
  ]
}

export interface Ran {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * A command's exit status and output (asynchronous, so a registry in this process keeps
 * answering), in a process group of its own that is stopped if this script ends first.
 */
export const run = (command: string, args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = process.env) =>
  new Promise<Ran>((done) => {
    const child = spawnTracked(command, args, { cwd, env })
    let stdout = ""
    let stderr = ""
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.on("close", (status) => done({ status, stdout, stderr }))
  })

/** Secrets this process handles: never printed, whatever echoes them. */
const secrets = new Set<string>()

/** `text` with every known secret and any `_authToken=` value (npm's spelling of a registry token) replaced. */
export const redact = (text: string): string => {
  let redacted = text.replace(/(_authToken["']?\s*[=:]\s*["']?)[^\s"']+/gi, "$1<redacted>")
  for (const secret of secrets) redacted = redacted.split(secret).join("<redacted>")
  return redacted
}

/** `run`, failing with the command's output (secrets redacted) unless it exits 0. */
export const succeed = async (command: string, args: ReadonlyArray<string>, cwd: string, env?: NodeJS.ProcessEnv) => {
  const ran = await run(command, args, cwd, env)
  if (ran.status !== 0) throw new Error(redact(`${command} ${args.join(" ")} failed in ${cwd}:\n${ran.stdout}\n${ran.stderr}`))
  return ran.stdout
}

// ---- version --------------------------------------------------------------------------------

type Bump = "major" | "minor" | "patch"

/** Each changeset of a folder: its file name and the bump it asks for each package it names. */
export const changesets = (folder: string): ReadonlyArray<{ readonly file: string; readonly bumps: ReadonlyMap<string, Bump> }> =>
  readdirSync(folder)
    .filter((file) => file.endsWith(".md") && file !== "README.md")
    .map((file) => {
      const front = readFileSync(join(folder, file), "utf8").split("---")[1] ?? ""
      const bumps = new Map<string, Bump>()
      for (const [, name, bump] of front.matchAll(/^\s*["']?([^"':\s]+)["']?\s*:\s*(major|minor|patch)\s*$/gm)) bumps.set(name!, bump as Bump)
      return { file, bumps }
    })

/** The changesets of `effect4/.changeset` that name a shared package (they belong in the root's). */
export const misplacedChangesets = (root = repository): ReadonlyArray<string> => {
  const shared = new Set<string>(sharedNames.map((name) => `@effect-texas/${name}`))
  return changesets(join(root, "effect4", ".changeset")).filter(({ bumps }) => [...bumps.keys()].some((name) => shared.has(name))).map(({ file }) => file)
}

const bumped = (version: string, bump: Bump) => {
  const [major, minor, patch] = version.split(/[.-]/).map(Number) as [number, number, number]
  return bump === "major" ? `${major + 1}.0.0` : bump === "minor" ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`
}

/**
 * The version each package's own pending changesets will give it (`line:name` to version), as
 * `changeset version` computes it: the largest bump named wins.
 */
export const plannedVersions = (root = repository): ReadonlyMap<string, string> => {
  const rank = { patch: 0, minor: 1, major: 2 } as const
  const planned = new Map<string, string>()
  for (const [line, folder] of [["effect3", join(root, ".changeset")], ["effect4", join(root, "effect4", ".changeset")]] as const) {
    const largest = new Map<string, Bump>()
    for (const { bumps } of changesets(folder)) {
      for (const [name, bump] of bumps) if (!largest.has(name) || rank[bump] > rank[largest.get(name)!]) largest.set(name, bump)
    }
    for (const pkg of packages(root).filter((pkg) => (line === "effect4") === (pkg.line === "effect4"))) {
      const bump = largest.get(pkg.name)
      if (bump !== undefined) planned.set(`${line}:${pkg.name}`, bumped(pkg.version, bump))
    }
  }
  return planned
}

/**
 * Points the Effect 4 packages at the shared versions the root's release made, and writes the
 * patch changeset that records it for each of them. Returns the packages moved.
 */
const followSharedPackages = (root: string, before: ReadonlyMap<string, string>): ReadonlyArray<string> => {
  const moved = packages(root).filter((pkg) => pkg.line === "shared" && before.get(pkg.name) !== pkg.version)
  if (moved.length === 0) return []
  const dependents: Array<string> = []
  for (const pkg of packages(root).filter((pkg) => pkg.line === "effect4")) {
    const path = join(pkg.directory, "package.json")
    const manifest = JSON.parse(readFileSync(path, "utf8")) as Manifest
    let changed = false
    for (const shared of moved) {
      for (const field of [manifest.dependencies, manifest.peerDependencies]) {
        if (field?.[shared.name] !== undefined) {
          field[shared.name] = `^${shared.version}`
          changed = true
        }
      }
    }
    if (changed) {
      writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`)
      dependents.push(pkg.name)
    }
  }
  if (dependents.length > 0) {
    const front = dependents.map((name) => `"${name}": patch`).join("\n")
    const body = `Updated dependencies: ${moved.map((pkg) => `${pkg.name}@${pkg.version}`).join(", ")}`
    writeFileSync(join(root, "effect4", ".changeset", `shared-${moved.map((pkg) => `${pkg.name.split("/")[1]}-${pkg.version}`).join("-")}.md`), `---\n${front}\n---\n\n${body}\n`)
  }
  return dependents
}

/** Applies the pending changesets of both lines; `lockfiles: false` leaves the lockfiles alone. */
export const version = async (options: { readonly root?: string; readonly lockfiles?: boolean } = {}) => {
  const root = options.root ?? repository
  const misplaced = misplacedChangesets(root)
  if (misplaced.length > 0) throw new Error(`effect4/.changeset names a shared package (version those from the root's .changeset): ${misplaced.join(", ")}`)
  const changeset = join(repository, "node_modules", ".bin", "changeset")
  const before = new Map(packages(root).filter((pkg) => pkg.line === "shared").map((pkg) => [pkg.name, pkg.version]))
  await succeed(changeset, ["version"], root)
  const dependents = followSharedPackages(root, before)
  await succeed(changeset, ["version"], join(root, "effect4"))
  if (options.lockfiles !== false) {
    for (const folder of [root, join(root, "effect4")]) await succeed("npm", ["install", "--package-lock-only", "--no-audit", "--no-fund"], folder)
  }
  return { dependents }
}

// ---- publish --------------------------------------------------------------------------------

/** Whether the registry has `pkg` at its version already (a 404 is "no"; anything else fails). */
const published = async (pkg: Package, registryArgs: ReadonlyArray<string>, env: NodeJS.ProcessEnv) => {
  const view = await run("npm", ["view", `${pkg.name}@${pkg.version}`, "version", ...registryArgs], pkg.directory, env)
  if (view.status === 0) return view.stdout.trim() === pkg.version
  if (/E404|404 Not Found/.test(view.stderr)) return false
  throw new Error(redact(`npm view ${pkg.name}@${pkg.version} failed:\n${view.stderr}`))
}

/** Where to publish, and how. */
export interface PublishOptions {
  readonly root?: string
  /** The registry (default: npm's configured one). */
  readonly registry?: string | undefined
  /**
   * A token for `registry`: handed to npm through its environment and a temporary user config
   * (mode 0600, holding a reference to that variable, removed afterwards and on a signal), never
   * on a command line, where a failed step would print it and the process list show it.
   */
  readonly token?: string | undefined
  /** `false` off CI (provenance needs CI's OIDC token). */
  readonly provenance?: boolean | undefined
}

/** The environment in which npm reads the token for `registry` from a variable, and a way to remove its config. */
const tokenConfig = (registry: string, token: string) => {
  secrets.add(token)
  const folder = mkdtempSync(join(tmpdir(), "effect-texas-npmrc-"))
  const cleanup = removeAtExit(folder)
  const userconfig = join(folder, ".npmrc")
  // npm expands ${VAR} in its config files: the token itself is never written to disk.
  const address = registry.replace(/^https?:/, "").replace(/\/?$/, "/")
  writeFileSync(userconfig, `${address}:_authToken=\${EFFECT_TEXAS_PUBLISH_TOKEN}\n`, { mode: 0o600 })
  const env = { ...process.env, npm_config_userconfig: userconfig, EFFECT_TEXAS_PUBLISH_TOKEN: token }
  return { env, remove: cleanup.release }
}

/**
 * `npm publish` in each package's folder whose version the registry lacks, in `packages()` order.
 */
export const publish = async (options: PublishOptions = {}) => {
  const args = [...(options.registry === undefined ? [] : [`--registry=${options.registry}`]), ...(options.provenance === false ? ["--provenance=false"] : [])]
  const auth = options.token === undefined ? undefined : tokenConfig(options.registry ?? "https://registry.npmjs.org/", options.token)
  const env = auth?.env ?? process.env
  const done: Array<string> = []
  try {
    for (const pkg of packages(options.root)) {
      if (await published(pkg, args, env)) {
        console.log(`skip ${pkg.name}@${pkg.version}: published already`)
        continue
      }
      await succeed("npm", ["publish", ...args], pkg.directory, env)
      done.push(`${pkg.name}@${pkg.version}`)
    }
  } finally {
    auth?.remove()
  }
  return done
}

const main = async (command: string | undefined) => {
  switch (command) {
    case "version": {
      const { dependents } = await version()
      console.log(`versioned both lines${dependents.length === 0 ? "" : `; the Effect 4 line follows the shared packages in ${dependents.join(", ")}`}`)
      return
    }
    case "publish": {
      // CI's npm config (setup-node's) reads NODE_AUTH_TOKEN itself; a registry of one's own takes --registry.
      const registry = process.argv.find((arg) => arg.startsWith("--registry="))?.slice("--registry=".length)
      const done = await publish({ registry })
      console.log(done.length === 0 ? "nothing to publish" : `published ${done.join(", ")}`)
      return
    }
    default:
      throw new Error("usage: tsx scripts/release.ts version | publish [--registry=<url>]")
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main(process.argv[2]).catch((error: unknown) => {
    console.error(redact(error instanceof Error ? error.message : String(error)))
    process.exit(1)
  })
}
