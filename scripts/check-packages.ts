/**
 * Publish-readiness of every package of both lines (`npm run check:packages`, part of `npm test`,
 * after both lines are built):
 *
 * - `npm publish --dry-run` is clean (no warning but the login it would need) and ships only
 *   `package.json`, `README.md`, `LICENSE`, `CHANGELOG.md` and `dist/`;
 * - the types resolve for every entry point (`@arethetypeswrong/cli`): ESM and CommonJS on the
 *   Effect 3 line and the shared packages (node16 profile), ESM on the Effect 4 line (esm-only);
 * - the metadata users and tools expect: `repository` with this package's `directory`,
 *   `homepage`, `bugs`, `keywords`, `engines`, `publishConfig` (public, provenance, and the
 *   Effect 3 line under the dist-tag `effect3`, so that `latest` is the Effect 4 line);
 * - versions: the Effect 3 line and the shared packages on 0.x, the Effect 4 line on 1.x, each
 *   package's own `CHANGELOG.md` with an entry for its version;
 * - every `@since` in a package's source names a version of its `CHANGELOG.md` or the version its
 *   pending changesets will give it, and no changeset of `effect4/` names a
 *   shared package (those are versioned once, from the root).
 */
import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { misplacedChangesets, type Package, packages, plannedVersions, repository, run, sharedNames } from "./release.js"

const allowed = (path: string) => ["package.json", "README.md", "LICENSE", "CHANGELOG.md"].includes(path) || path.startsWith("dist/")
const base = "https://github.com/effect-texas/effect-texas"

let failures = 0
const fail = (message: string) => {
  failures++
  console.log(`FAIL ${message}`)
}

interface Manifest {
  readonly version: string
  readonly repository?: { readonly url?: string; readonly directory?: string }
  readonly homepage?: string
  readonly bugs?: { readonly url?: string }
  readonly keywords?: ReadonlyArray<string>
  readonly engines?: { readonly node?: string }
  readonly publishConfig?: { readonly access?: string; readonly provenance?: boolean; readonly tag?: string }
}

const sourceFiles = (directory: string): ReadonlyArray<string> =>
  readdirSync(directory, { recursive: true, encoding: "utf8" }).filter((path) => path.endsWith(".ts")).map((path) => join(directory, path))

const checkMetadata = (pkg: Package, manifest: Manifest) => {
  const directory = relative(repository, pkg.directory)
  const major = pkg.line === "effect4" ? "1." : "0."
  if (!manifest.version.startsWith(major)) fail(`${pkg.name} (${pkg.line}): version ${manifest.version} is not ${major}x`)
  if (manifest.repository?.url !== `git+${base}.git` || manifest.repository.directory !== directory) fail(`${pkg.name}: repository is not ${base} with directory ${directory}`)
  if (manifest.homepage !== `${base}/tree/main/${directory}#readme`) fail(`${pkg.name}: homepage is not its README`)
  if (manifest.bugs?.url !== `${base}/issues`) fail(`${pkg.name}: bugs is not the issue tracker`)
  if ((manifest.keywords ?? []).length < 3) fail(`${pkg.name}: fewer than three keywords`)
  if (manifest.engines?.node === undefined) fail(`${pkg.name}: no engines.node`)
  const { access, provenance, tag } = manifest.publishConfig ?? {}
  const wantedTag = pkg.line === "effect3" ? "effect3" : undefined
  if (access !== "public" || provenance !== true || tag !== wantedTag) {
    fail(`${pkg.name} (${pkg.line}): publishConfig ${JSON.stringify(manifest.publishConfig)}; wanted public, provenance${wantedTag === undefined ? "" : `, tag ${wantedTag}`}`)
  }
}

const checkVersions = (pkg: Package, manifest: Manifest, planned: ReadonlyMap<string, string>) => {
  const changelog = (() => {
    try {
      return readFileSync(join(pkg.directory, "CHANGELOG.md"), "utf8")
    } catch {
      return ""
    }
  })()
  const released = new Set([...changelog.matchAll(/^## (\d+\.\d+\.\d+\S*)$/gm)].map((match) => match[1]!))
  if (!released.has(manifest.version)) fail(`${pkg.name}: its CHANGELOG.md has no entry for ${manifest.version}`)
  const next = planned.get(`${pkg.line === "effect4" ? "effect4" : "effect3"}:${pkg.name}`)
  const wrong = new Map<string, number>()
  for (const file of sourceFiles(join(pkg.directory, "src"))) {
    for (const [, since] of readFileSync(file, "utf8").matchAll(/@since (\S+)/g)) {
      if (!released.has(since!) && since !== next) wrong.set(since!, (wrong.get(since!) ?? 0) + 1)
    }
  }
  for (const [since, count] of wrong) {
    fail(`${pkg.name}: ${count} @since ${since}, a version it never shipped (CHANGELOG.md: ${[...released].join(", ") || "none"}; next: ${next ?? "no changeset"})`)
  }
}

/** What `npm publish` would ship, and whether it would warn. */
const checkPublish = async (pkg: Package) => {
  const dry = await run("npm", ["publish", "--dry-run", "--json"], pkg.directory)
  if (dry.status !== 0) return fail(`${pkg.name}: npm publish --dry-run failed\n${dry.stderr}`)
  const warnings = dry.stderr.split("\n").filter((line) => line.startsWith("npm warn") && !line.includes("requires you to be logged in"))
  if (warnings.length > 0) fail(`${pkg.name}: npm publish --dry-run warns:\n${warnings.join("\n")}`)
  const report = JSON.parse(dry.stdout) as Record<string, { files: ReadonlyArray<{ path: string }> }>
  const files = (report[pkg.name] ?? Object.values(report)[0]!).files.map((file) => file.path)
  const stray = files.filter((path) => !allowed(path))
  if (stray.length > 0) fail(`${pkg.name}: the package would ship ${stray.join(", ")}`)
  for (const needed of ["README.md", "LICENSE", "CHANGELOG.md", "dist/index.js", "dist/index.d.ts"]) {
    if (!files.includes(needed)) fail(`${pkg.name}: the package lacks ${needed}`)
  }
  return files.length
}

const check = async (pkg: Package, planned: ReadonlyMap<string, string>) => {
  const manifest = JSON.parse(readFileSync(join(pkg.directory, "package.json"), "utf8")) as Manifest
  checkMetadata(pkg, manifest)
  checkVersions(pkg, manifest, planned)
  const files = await checkPublish(pkg)
  const effect4 = pkg.line === "effect4"
  const attw = await run("npx", ["attw", "--pack", pkg.directory, "--profile", effect4 ? "esm-only" : "node16", "--format", "ascii"], repository)
  const consumers = effect4 ? "ESM (attw, esm-only; effect 4 is ESM only)" : "ESM and CommonJS (attw, node16)"
  if (attw.status !== 0) fail(`${pkg.name}@${manifest.version}: types do not resolve for ${consumers}\n${attw.stdout}${attw.stderr}`)
  else console.log(`ok   ${pkg.name}@${manifest.version} (${pkg.line}): npm publish --dry-run ships ${files} files; types resolve from ${consumers}`)
}

const misplaced = misplacedChangesets()
if (misplaced.length > 0) fail(`effect4/.changeset names a shared package (${sharedNames.join(", ")}): ${misplaced.join(", ")}`)
const planned = plannedVersions()
// Two packages at a time (the checks are single-threaded; CI has two cores).
const queue = [...packages()]
const worker = async () => {
  for (let pkg = queue.shift(); pkg !== undefined; pkg = queue.shift()) await check(pkg, planned)
}
await Promise.all([worker(), worker()])
process.exit(failures === 0 ? 0 : 1)
