/**
 * The release, rehearsed through a real registry (`npm run release:rehearse`, in `npm test` after
 * both lines are built from a clean state):
 *
 * 1. Verdaccio on loopback, its storage in a temporary folder; stopped at the end, also on failure.
 * 2. Every package of both lines published to it by the release's own `publish`
 *    (`scripts/release.ts`: `npm publish` with each package's `publishConfig`), then the dist-tags
 *    checked: `latest` is the Effect 4 line, `effect3` the Effect 3 line.
 * 3. Two fresh apps outside the repository, installed with exactly the READMEs' install lines, only
 *    the `@effect-texas` scope pointed at the local registry (`--@effect-texas:registry=…`), all
 *    else from the usual registry, and nothing added that the READMEs do not say:
 *    - Effect 3: the quick start type-checked under strict `NodeNext` and run (ESM), every package
 *      and a module entry point from CommonJS, the module entry points from ESM, the Altinn guide's
 *      program, `npx effect-texas doctor`, all against the testkit's `effect-texas-emulator`;
 *    - Effect 4: the README's program and a typed-error program, type-checked and run on Node 22, no
 *      `@effect/platform` in the lockfile, `npx effect-texas doctor`, against the Effect 4
 *      testkit's command.
 * 4. Every guide, per line: a TypeScript app (`typescript`, `@types/node`) given exactly the guide's
 *    install lines for that line, its programs for that line type-checked under strict `NodeNext`
 *    and run (Effect 4's on Node 22), each against the emulator its testkit embeds. Guides whose
 *    lines begin alike share the install of those lines: the app is copied after them and given the
 *    rest, which leaves it as installing all of them would.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { removeAtExit, spawnTracked, stopAll } from "./children.js"
import { startEmulatorCommand } from "./emulator-command.js"
import { guidePrograms, installBlocks, type Line, lineOf } from "./guides.js"
import { node22 } from "./node-binary.js"
import { packages, publish, repository, succeed } from "./release.js"

const scope = "skatt:some.scope"
const started = performance.now()

// Every child (the registry, npm, npx, the emulator commands) runs in a process group of its own,
// stopped as a group however this process ends (a failed step, Ctrl-C, a CI timeout's SIGTERM),
// and the temporary folder goes with it (scripts/children.ts).
const ok = (what: string) => console.log(`ok   ${what} (${((performance.now() - started) / 1000).toFixed(0)} s)`)

// ---- the READMEs --------------------------------------------------------------------------------

const readme = readFileSync(join(repository, "README.md"), "utf8")
const effect4Readme = readFileSync(join(repository, "effect4", "README.md"), "utf8")
/** `text` from the heading `from` up to the next `to` after it (to the end when `to` is ""). */
const between = (text: string, from: string, to: string) => {
  const start = text.indexOf(from)
  if (start < 0) throw new Error(`no "${from}" in a README`)
  const end = to === "" ? -1 : text.indexOf(to, start + from.length)
  return text.slice(start, end < 0 ? undefined : end)
}
const installLines = (text: string) => text.split("\n").filter((line) => line.startsWith("npm install ")).map((line) => line.split(/\s+/).slice(1))
/** The first ```ts block of `text`. */
const firstProgram = (text: string) => {
  const start = text.indexOf("```ts\n") + "```ts\n".length
  return text.slice(start, text.indexOf("```", start))
}

// ---- the registry -------------------------------------------------------------------------------

const freePort = () =>
  new Promise<number>((done, fail) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address !== null ? done(address.port) : fail(new Error("no port"))))
    })
  })

const startRegistry = async (work: string) => {
  const port = await freePort()
  const config = join(work, "verdaccio.yaml")
  writeFileSync(config, [
    `storage: ${join(work, "storage")}`,
    "auth:",
    "  htpasswd:",
    `    file: ${join(work, "htpasswd")}`,
    // Only our scope lives here, with no uplink: what the apps get under it was published in this run.
    "packages:",
    "  '@effect-texas/*':",
    "    access: $all",
    "    publish: $all",
    "log: { type: stdout, format: pretty, level: warn }"
  ].join("\n"))
  const child = spawnTracked(join(repository, "node_modules", ".bin", "verdaccio"), ["--config", config, "--listen", `127.0.0.1:${port}`], { cwd: work })
  let output = ""
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()))
  const url = `http://127.0.0.1:${port}/`
  for (let attempt = 0; attempt < 100; attempt++) {
    const answer = await fetch(`${url}-/ping`).catch(() => undefined)
    if (answer?.ok) return { child, url, port }
    if (child.exitCode !== null) break
    await new Promise((wait) => setTimeout(wait, 200))
  }
  child.kill()
  throw new Error(`the registry did not start:\n${output}`)
}

// ---- an app -------------------------------------------------------------------------------------

/** The app's `effect-texas-emulator` (its testkit's), with the variables it prints to export. */
const startEmulator = (app: string, args: ReadonlyArray<string>) =>
  startEmulatorCommand(join(app, "node_modules", ".bin", "effect-texas-emulator"), args, app)

const newApp = (work: string, name: string, type: "module" | "commonjs" = "module") => {
  const app = join(work, name)
  mkdirSync(join(app, ".nais"), { recursive: true })
  writeFileSync(join(app, "package.json"), `${JSON.stringify({ name, private: true, type }, null, 2)}\n`)
  return app
}

const install = async (app: string, lines: ReadonlyArray<ReadonlyArray<string>>, registry: string) => {
  for (const args of lines) await succeed("npm", [...args, `--@effect-texas:registry=${registry}`, "--no-audit", "--no-fund"], app)
}

const installedVersion = (app: string, name: string) =>
  (JSON.parse(readFileSync(join(app, "node_modules", ...name.split("/"), "package.json"), "utf8")) as { version: string }).version

/** Type-checks `files` under strict `NodeNext` into `out/`. */
const compile = async (app: string, files: ReadonlyArray<string>, types: ReadonlyArray<string> = []) => {
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", skipLibCheck: true, types, outDir: "out" },
    files
  }))
  await succeed(process.execPath, [join(repository, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], app)
}

const manifest = (name: string) => [
  "apiVersion: nais.io/v1alpha1", "kind: Application", "metadata:", `  name: ${name}`, "spec:",
  "  maskinporten:", "    enabled: true", "    scopes:", "      consumes:", `        - name: "${scope}"`
].join("\n")

const doctor = async (app: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) => {
  writeFileSync(join(app, ".nais", "app.yaml"), manifest(app.split("/").at(-1)!))
  const output = await succeed("npx", ["effect-texas", "doctor", ...args], app, env)
  if (!output.includes("all 2 checks passed")) throw new Error(`npx effect-texas doctor did not pass in ${app}:\n${output}`)
}

// ---- the Effect 3 app ---------------------------------------------------------------------------

const cjsCheck = `
const { Effect, Layer } = require("effect")
const { FetchHttpClient, HttpClient } = require("@effect/platform")
const { TokenService } = require("@effect-texas/core")
const { TokenService: FromModule } = require("@effect-texas/core/TokenService")
const { authenticate } = require("@effect-texas/http-client")
const { requireUser } = require("@effect-texas/http-server")
const { startTexasEmulator } = require("@effect-texas/testkit")
const { AltinnToken } = require("@effect-texas/altinn")
if (FromModule !== TokenService || typeof requireUser !== "function" || typeof startTexasEmulator !== "function" || AltinnToken === undefined) throw new Error("exports missing")
const program = Effect.gen(function*() {
  const client = (yield* HttpClient.HttpClient).pipe(
    authenticate({ identityProvider: "maskinporten", target: "${scope}", allowedOrigins: [process.env.API_URL] }),
    HttpClient.filterStatusOk
  )
  const response = yield* client.get(process.env.API_URL + "/api/hello")
  return yield* response.json
})
Effect.runPromise(program.pipe(Effect.provide(TokenService.layerConfig().pipe(Layer.provideMerge(FetchHttpClient.layer)))))
  .then((answer) => console.log("cjs reached the API: " + JSON.stringify(answer)))
`

const entryPoints = [
  `import { TokenService } from "@effect-texas/core/TokenService"`,
  `import { authenticate } from "@effect-texas/http-client/Authenticate"`,
  `import { requireUser } from "@effect-texas/http-server/RequireUser"`,
  `import { TexasEmulator } from "@effect-texas/testkit/TexasEmulator"`,
  `import { AltinnToken } from "@effect-texas/altinn/AltinnToken"`,
  `import { AltinnEmulator } from "@effect-texas/testkit/AltinnEmulator"`,
  `for (const value of [TokenService, authenticate, requireUser, TexasEmulator, AltinnToken, AltinnEmulator]) if (value === undefined) throw new Error("missing")`,
  `console.log("module entry points import")`
].join("\n")

const effect3App = async (work: string, registry: string) => {
  const app = newApp(work, "app-effect3")
  await install(app, installLines(between(readme, "## Install", "## Quick start")), registry)
  for (const name of ["@effect-texas/core", "@effect-texas/http-client", "@effect-texas/testkit", "@effect-texas/cli", "@effect-texas/altinn"]) {
    if (!installedVersion(app, name).startsWith("0.")) throw new Error(`the Effect 3 README's lines installed ${name}@${installedVersion(app, name)}`)
  }
  ok(`Effect 3 app: the README's install lines, against the registry (core ${installedVersion(app, "@effect-texas/core")}, protocol ${installedVersion(app, "@effect-texas/protocol")} as a dependency)`)

  const emulator = await startEmulator(app, ["--api-scope", scope, "--grant", scope, "--grant", "altinn:correspondence.write", "--altinn"])
  try {
    const env = { ...process.env, ...emulator.env }
    writeFileSync(join(app, "quickstart.ts"), firstProgram(between(readme, "## Quick start", "")))
    writeFileSync(join(app, "altinn.ts"), firstProgram(between(readFileSync(join(repository, "docs", "guides", "07-altinn.md"), "utf8"), "## More about Altinn", "")))
    await compile(app, ["quickstart.ts", "altinn.ts"])
    ok("Effect 3 app: the quick start and the Altinn guide's program type-check under strict + NodeNext")
    const quick = await succeed(process.execPath, [join("out", "quickstart.js")], app, env)
    if (!quick.includes(`scope: '${scope}'`)) throw new Error(`the quick start did not reach the API:\n${quick}`)
    const altinn = await succeed(process.execPath, [join("out", "altinn.js")], app, env)
    if (!altinn.includes("GET /correspondence/api/v1/correspondence -> 200")) throw new Error(`the Altinn program did not reach the API:\n${altinn}`)
    ok("Effect 3 app: the quick start (ESM) and the Altinn program reached their APIs through npx effect-texas-emulator --altinn")
    writeFileSync(join(app, "entries.mjs"), entryPoints)
    await succeed(process.execPath, ["entries.mjs"], app)
    writeFileSync(join(app, "check.cjs"), cjsCheck)
    const cjs = await succeed(process.execPath, ["check.cjs"], app, env)
    if (!cjs.includes(`"scope":"${scope}"`)) throw new Error(`require() did not reach the API:\n${cjs}`)
    ok("Effect 3 app: the module entry points import (ESM); require() of every package works and reached the API")
    await doctor(app, [], env)
    ok("Effect 3 app: npx effect-texas doctor reads .nais/app.yaml and passes")
  } finally {
    emulator.child.kill()
  }
}

// ---- the Effect 4 app ---------------------------------------------------------------------------

/** On effect 4: the second call from the cache, a scope not granted as a typed error. */
const effect4Typed = `
import { Config, Effect, Layer } from "effect"
import { FetchHttpClient } from "effect/http"
import { TokenEndpointError, TokenService } from "@effect-texas/core"

const program = Effect.gen(function*() {
  const tokens = yield* TokenService
  const first = yield* tokens.token({ identityProvider: "maskinporten", target: "${scope}" })
  const second = yield* tokens.token({ identityProvider: "maskinporten", target: "${scope}" })
  const refused = yield* Effect.flip(tokens.token({ identityProvider: "maskinporten", target: "skatt:not.granted" }))
  return { cached: second === first, typed: refused instanceof TokenEndpointError, error: refused._tag === "TokenEndpointError" ? refused.error : null }
})
const TokensLive = Layer.unwrap(Effect.map(Config.String("NAIS_TOKEN_ENDPOINT"), (endpoint) => TokenService.layer({ endpoint }))).pipe(Layer.provide(FetchHttpClient.layer))
Effect.runPromise(program.pipe(Effect.provide(TokensLive))).then((result) => console.log(JSON.stringify(result)))
`

const effect4App = async (work: string, registry: string, node: string) => {
  const app = newApp(work, "app-effect4")
  const lines = [...installLines(effect4Readme.slice(0, effect4Readme.indexOf("```ts"))), ...installLines(between(readme, "## Effect 4", "## "))]
  await install(app, lines, registry)
  for (const name of ["@effect-texas/core", "@effect-texas/http-client", "@effect-texas/testkit", "@effect-texas/cli"]) {
    if (!installedVersion(app, name).startsWith("1.")) throw new Error(`the Effect 4 README's lines installed ${name}@${installedVersion(app, name)}`)
  }
  if (!installedVersion(app, "effect").startsWith("4.")) throw new Error(`the Effect 4 app got effect ${installedVersion(app, "effect")}`)
  if (readFileSync(join(app, "package-lock.json"), "utf8").includes("node_modules/@effect/platform\"")) throw new Error("the Effect 4 app pulled in @effect/platform 0.x")
  ok(`Effect 4 app: the README's install lines (core ${installedVersion(app, "@effect-texas/core")} beside effect ${installedVersion(app, "effect")} alone, no @effect/platform)`)

  const emulator = await startEmulator(app, ["--api-scope", scope, "--grant", scope])
  try {
    const env = { ...process.env, ...emulator.env }
    writeFileSync(join(app, "readme.ts"), firstProgram(effect4Readme))
    writeFileSync(join(app, "typed.ts"), effect4Typed)
    await compile(app, ["readme.ts", "typed.ts"])
    const token = await succeed(node, [join("out", "readme.js")], app, env)
    if (!token.includes("token expires in")) throw new Error(`the Effect 4 README's program got no token:\n${token}`)
    const typed = JSON.parse((await succeed(node, [join("out", "typed.js")], app, env)).trim().split("\n").at(-1)!) as unknown
    if (JSON.stringify(typed) !== JSON.stringify({ cached: true, typed: true, error: "invalid_scope" })) throw new Error(`the Effect 4 typed program gave ${JSON.stringify(typed)}`)
    ok("Effect 4 app: the README's program and a typed invalid_scope, type-checked and run against npx effect-texas-emulator")
    await doctor(app, ["--manifest", ".nais/app.yaml"], env)
    ok("Effect 4 app: npx effect-texas doctor --manifest .nais/app.yaml passes, on the app's own effect 4")
  } finally {
    emulator.child.kill()
  }
}

// ---- the guides --------------------------------------------------------------------------------

interface Guide {
  readonly name: string
  readonly commands: ReadonlyArray<ReadonlyArray<string>>
  readonly programs: ReadonlyArray<string>
}

/** Each guide's install lines and programs for `line`. */
const guidesOf = (line: Line): ReadonlyArray<Guide> => {
  const folder = join(repository, "docs", "guides")
  return readdirSync(folder).filter((file) => file.endsWith(".md")).sort().map((file) => {
    const text = readFileSync(join(folder, file), "utf8")
    return {
      name: file,
      commands: installBlocks(text).get(line) ?? [],
      programs: guidePrograms(text).filter((path) => lineOf(path) === line).map((path) => resolve(folder, path))
    }
  })
}

const key = (commands: ReadonlyArray<ReadonlyArray<string>>) => JSON.stringify(commands)

/** Each guide's lines in an app of its own (or a copy of one that ran the same first lines), its programs built and run. */
const guideApps = async (work: string, registry: string, line: Line, node: string) => {
  const base = newApp(work, `guides-${line}`)
  await succeed("npm", ["install", "--save-dev", "typescript@~5.9.3", line === "effect3" ? "@types/node@^20.19" : "@types/node@^22.19", "--no-audit", "--no-fund"], base)
  const guides = guidesOf(line)
  // The lines every guide begins with are installed once, in the base app.
  let common = 0
  while (guides.every((guide) => guide.commands[common] !== undefined && key([guide.commands[common]!]) === key([guides[0]!.commands[common]!]))) common++
  const shared = guides[0]!.commands.slice(0, common)
  await install(base, shared, registry)
  // Guides with the same further lines share an app; two apps are made at a time.
  const groups = new Map<string, Array<Guide>>()
  for (const guide of guides) {
    const rest = key(guide.commands.slice(shared.length))
    groups.set(rest, [...(groups.get(rest) ?? []), guide])
  }
  const env = { ...process.env }
  delete env["NAIS_TOKEN_ENDPOINT"]
  const queue = [...groups.values()].map((members, at) => ({ members, app: join(work, `guides-${line}-${at}`) }))
  const worker = async () => {
    for (let group = queue.shift(); group !== undefined; group = queue.shift()) {
      cpSync(base, group.app, { recursive: true, verbatimSymlinks: true })
      await install(group.app, group.members[0]!.commands.slice(shared.length), registry)
      const files = group.members.flatMap((guide) =>
        guide.programs.map((program) => {
          const file = `${guide.name.replace(/\.md$/, "")}-${program.split("/").at(-1)}`
          writeFileSync(join(group.app, file), readFileSync(program, "utf8"))
          return file
        }))
      await compile(group.app, files, ["node"])
      for (const file of files) await succeed(node, [join("out", file.replace(/\.ts$/, ".js"))], group.app, env)
    }
  }
  await Promise.all([worker(), worker()])
  ok(`${line}: every guide's install lines (${groups.size} apps) and its ${line === "effect3" ? "Effect 3" : "Effect 4"} programs, type-checked and run${line === "effect4" ? " on Node 22" : ""}`)
}

// ---- the rehearsal ------------------------------------------------------------------------------

const distTags = async (name: string, registry: string) =>
  JSON.parse(await succeed("npm", ["view", name, "dist-tags", "--json", `--registry=${registry}`], repository)) as Record<string, string>

/** Runs both apps to the end: when one fails, the other's processes are stopped, and both settle before the verdict. */
const bothApps = async (work: string, registry: string) => {
  let first: unknown
  const stopOthersOnFailure = (app: Promise<void>) =>
    app.catch((error: unknown) => {
      first ??= error
      stopAll()
      throw error
    })
  const node = node22()
  const effect3 = async () => {
    await effect3App(work, registry)
    await guideApps(work, registry, "effect3", process.execPath)
  }
  const effect4 = async () => {
    await effect4App(work, registry, node)
    await guideApps(work, registry, "effect4", node)
  }
  const settled = await Promise.allSettled([stopOthersOnFailure(effect3()), stopOthersOnFailure(effect4())])
  const failed = settled.filter((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected")
  // The first to fail stopped the other: its failure is the cause, the other's only the stop.
  if (failed.length > 0) throw first
}

const main = async () => {
  const work = mkdtempSync(join(tmpdir(), "effect-texas-release-"))
  const folder = removeAtExit(work)
  let registry: Awaited<ReturnType<typeof startRegistry>> | undefined
  try {
    registry = await startRegistry(work)
    ok(`registry on ${registry.url} (storage in ${work})`)
    // Verdaccio takes anonymous publishing, but npm sends none without some token for the address.
    const done = await publish({ registry: registry.url, token: "rehearsal", provenance: false })
    ok(`published ${done.length} packages with npm publish: ${done.join(", ")}`)
    const all = packages()
    for (const pkg of all.filter((pkg) => pkg.line === "effect3")) {
      const tags = await distTags(pkg.name, registry.url)
      const effect4 = all.find((other) => other.line === "effect4" && other.name === pkg.name)!
      if (tags["latest"] !== effect4.version || tags["effect3"] !== pkg.version) throw new Error(`${pkg.name}: dist-tags ${JSON.stringify(tags)}`)
    }
    ok("dist-tags: latest is the Effect 4 line, effect3 the Effect 3 line")
    await bothApps(work, registry.url)
  } finally {
    registry?.child.kill()
    folder.release()
  }
}

main().catch((error: unknown) => {
  console.log(`FAIL ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
