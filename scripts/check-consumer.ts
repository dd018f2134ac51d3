/**
 * The packages as a new user gets them (`npm run check:consumer`, part of
 * `npm test`, after `npm run build`): packs every package, installs the packs
 * into a fresh app in a temporary directory outside the repository with
 * exactly the README's install lines (each `@effect-texas/<name>` replaced by
 * its pack), type-checks the README's quick start under `strict` + `NodeNext`,
 * runs it against the emulator's command and its protected API (the API's
 * URL put in place of the example's), and does the same from a `.cjs` file.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { createInterface } from "node:readline"

const root = resolve(import.meta.dirname, "..")
const packages = ["protocol", "emulator", "doctor", "core", "http-client", "http-server", "testkit", "cli", "altinn"]
const scope = "skatt:some.scope"
const readme = readFileSync(join(root, "README.md"), "utf8")

const run = (command: string, args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = process.env) => {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env })
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

/** The `npm install` lines of the README's Install section. */
const installLines = (): ReadonlyArray<ReadonlyArray<string>> => {
  const section = readme.slice(readme.indexOf("## Install"), readme.indexOf("## Quick start"))
  const lines = section.split("\n").filter((line) => line.startsWith("npm install "))
  if (lines.length === 0) throw new Error("README.md has no npm install line in its Install section")
  return lines.map((line) => line.split(/\s+/).slice(1))
}

/** The first ```ts block after the Quick start heading. */
const quickStart = (): string => {
  const from = readme.indexOf("## Quick start")
  const start = readme.indexOf("```ts\n", from) + "```ts\n".length
  return readme.slice(start, readme.indexOf("```", start))
}

/** Starts the installed emulator command with a protected API; resolves with its two URLs. */
const startEmulator = (app: string) =>
  new Promise<{ readonly child: ChildProcess; readonly tokenEndpoint: string; readonly apiUrl: string }>((ok, fail) => {
    const bin = join(app, "node_modules", ".bin", "effect-texas-emulator")
    // One scope granted: the Effect 4 check below asks for another, to see invalid_scope.
    const child = spawn(bin, ["--port", "0", "--api-scope", scope, "--grant", scope], { cwd: app })
    let tokenEndpoint = ""
    const timer = setTimeout(() => fail(new Error("the emulator command printed no addresses within 20 s")), 20_000)
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const endpoint = /export NAIS_TOKEN_ENDPOINT=(\S+)/.exec(line)
      if (endpoint) tokenEndpoint = endpoint[1]!
      const api = /Protected API listening on (\S+)/.exec(line)
      if (api && tokenEndpoint !== "") {
        clearTimeout(timer)
        ok({ child, tokenEndpoint, apiUrl: api[1]! })
      }
    })
    child.once("exit", (code) => fail(new Error(`the emulator command exited (${code})`)))
  })

const cjsCheck = `
const { Effect, Layer } = require("effect")
const { FetchHttpClient, HttpClient } = require("@effect/platform")
const { TokenService } = require("@effect-texas/core")
const { TokenService: FromModule } = require("@effect-texas/core/TokenService")
const { authenticate } = require("@effect-texas/http-client")
const { requireUser } = require("@effect-texas/http-server")
const { startTexasEmulator } = require("@effect-texas/testkit")
if (FromModule !== TokenService || typeof requireUser !== "function" || typeof startTexasEmulator !== "function") throw new Error("exports missing")
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

/** The Effect 4 line's consumer: TokenService with effect/http's FetchHttpClient, on effect 4 alone. */
const effect4Program = `
import { Config, Effect, Layer } from "effect"
import { FetchHttpClient } from "effect/http"
import { TokenEndpointError, TokenService } from "@effect-texas/core"

const program = Effect.gen(function*() {
  const tokens = yield* TokenService
  const first = yield* tokens.token({ identityProvider: "maskinporten", target: "${scope}" })
  const second = yield* tokens.token({ identityProvider: "maskinporten", target: "${scope}" })
  const refused = yield* Effect.flip(tokens.token({ identityProvider: "maskinporten", target: "skatt:not.granted" }))
  return {
    cached: second === first,
    typed: refused instanceof TokenEndpointError,
    tag: refused._tag,
    error: refused._tag === "TokenEndpointError" ? refused.error : null
  }
})

// The endpoint the emulator command printed, given to TokenService.layer as it is.
const TokensLive = Layer.unwrap(Effect.gen(function*() {
  const endpoint = yield* Config.String("NAIS_TOKEN_ENDPOINT")
  return TokenService.layer({ endpoint })
})).pipe(Layer.provide(FetchHttpClient.layer))
Effect.runPromise(program.pipe(Effect.provide(TokensLive))).then((result) => console.log(JSON.stringify(result)))
`

/**
 * Packs the Effect 4 core, installs it into a fresh app beside \`effect@^4\` alone (the
 * shared protocol pack standing in for the published one), type-checks and runs a program.
 */
const checkEffect4 = (work: string, sharedPacks: { readonly protocol: string; readonly doctor: string }, env: NodeJS.ProcessEnv) => {
  const app = join(work, "app-effect4")
  const pack = (name: string) => join(work, run("npm", ["pack", "--pack-destination", work, "--silent"], join(root, "effect4", "packages", name)).trim().split("\n").at(-1)!)
  const file = pack("core")
  mkdirSync(app)
  // The shared packs stand in for the published versions (the CLI finds the v1 core installed here).
  const overrides = { "@effect-texas/protocol": `file:${sharedPacks.protocol}`, "@effect-texas/doctor": `file:${sharedPacks.doctor}` }
  writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "consumer-effect4", private: true, type: "module", overrides }, null, 2)}\n`)
  run("npm", ["install", file, "effect@^4.1.0", "--no-audit", "--no-fund"], app)
  const installed = JSON.parse(readFileSync(join(app, "node_modules", "effect", "package.json"), "utf8")) as { version: string }
  if (!installed.version.startsWith("4.")) throw new Error(`the Effect 4 app got effect ${installed.version}`)
  const lock = readFileSync(join(app, "package-lock.json"), "utf8")
  if (lock.includes("node_modules/@effect/platform")) throw new Error("the Effect 4 core pulled in @effect/platform")
  console.log(`ok   the packed v1 core installs beside effect ${installed.version} alone`)
  writeFileSync(join(app, "main.ts"), effect4Program)
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", skipLibCheck: true, types: [], outDir: "out" },
    files: ["main.ts"]
  }))
  run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], app)
  const output = run(process.execPath, [join("out", "main.js")], app, env).trim()
  const result = JSON.parse(output.split("\n").at(-1)!) as Record<string, unknown>
  const expected = { cached: true, typed: true, tag: "TokenEndpointError", error: "invalid_scope" }
  if (JSON.stringify(result) !== JSON.stringify(expected)) throw new Error(`the Effect 4 program gave ${output}`)
  console.log("ok   on effect 4: a token, the second call from the cache, invalid_scope as a typed TokenEndpointError")

  // `npm i -D @effect-texas/cli` in an Effect 4 app: the v1 CLI, on the app's own effect.
  run("npm", ["install", "--save-dev", pack("cli"), "--no-audit", "--no-fund"], app)
  if (readFileSync(join(app, "package-lock.json"), "utf8").includes("node_modules/@effect/platform\"")) {
    throw new Error("the Effect 4 CLI pulled in @effect/platform 0.x")
  }
  mkdirSync(join(app, ".nais"))
  writeFileSync(join(app, ".nais", "app.yaml"), [
    "apiVersion: nais.io/v1alpha1", "kind: Application", "metadata:", "  name: consumer-effect4", "spec:",
    "  maskinporten:", "    enabled: true", "    scopes:", "      consumes:", `        - name: "${scope}"`
  ].join("\n"))
  const doctor = run("npx", ["effect-texas", "doctor"], app, env)
  if (!doctor.includes("all 2 checks passed")) throw new Error(`npx effect-texas doctor (Effect 4) did not pass:\n${doctor}`)
  console.log("ok   npm i -D @effect-texas/cli in the Effect 4 app; npx effect-texas doctor passes against the emulator command")
}

const main = async () => {
  const work = mkdtempSync(join(tmpdir(), "effect-texas-consumer-"))
  const app = join(work, "app")
  let emulator: ChildProcess | undefined
  try {
    const packs = new Map<string, string>()
    for (const name of packages) {
      const file = run("npm", ["pack", "--pack-destination", work, "--silent"], join(root, "packages", name)).trim().split("\n").at(-1)!
      packs.set(`@effect-texas/${name}`, join(work, file))
    }
    run("mkdir", ["-p", app], work)
    // Packs the README does not name (the shared protocol and emulator) come in as dependencies of
    // the others: resolve them to their packs as the registry would to the published versions.
    const named = new Set(installLines().flat())
    const overrides = Object.fromEntries([...packs].filter(([name]) => !named.has(name)).map(([name, file]) => [name, `file:${file}`]))
    writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "consumer", private: true, type: "module", overrides }, null, 2)}\n`)
    for (const args of installLines()) {
      run("npm", [...args.map((arg) => packs.get(arg) ?? arg), "--no-audit", "--no-fund"], app)
    }
    console.log(`ok   installed with the README's lines into ${app}`)

    const { child, tokenEndpoint, apiUrl } = await startEmulator(app)
    emulator = child
    writeFileSync(join(app, "quickstart.ts"), quickStart().replaceAll("https://api.skatt.example", apiUrl))
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
      compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", skipLibCheck: true, types: [], outDir: "out" },
      files: ["quickstart.ts"]
    }))
    run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], app)
    console.log("ok   the quick start type-checks under strict + NodeNext")

    const env = { ...process.env, NAIS_TOKEN_ENDPOINT: tokenEndpoint, API_URL: apiUrl }
    const esm = run(process.execPath, [join("out", "quickstart.js")], app, env)
    // The quick start logs the API's answer (Effect's logger prints it as an object).
    if (!esm.includes(`scope: '${scope}'`)) throw new Error(`the quick start did not reach the API:\n${esm}`)
    console.log("ok   the quick start (ESM) reached the protected API with a token from the emulator command")

    writeFileSync(join(app, "entries.mjs"), [
      `import { TokenService } from "@effect-texas/core/TokenService"`,
      `import { authenticate } from "@effect-texas/http-client/Authenticate"`,
      `import { requireUser } from "@effect-texas/http-server/RequireUser"`,
      `import { TexasEmulator } from "@effect-texas/testkit/TexasEmulator"`,
      `import { AltinnToken } from "@effect-texas/altinn/AltinnToken"`,
      `import { AltinnEmulator } from "@effect-texas/testkit/AltinnEmulator"`,
      `for (const value of [TokenService, authenticate, requireUser, TexasEmulator, AltinnToken, AltinnEmulator]) if (value === undefined) throw new Error("missing")`,
      `console.log("module entry points import")`
    ].join("\n"))
    run(process.execPath, ["entries.mjs"], app)
    console.log("ok   the module entry points import (ESM)")

    mkdirSync(join(app, ".nais"))
    writeFileSync(join(app, ".nais", "app.yaml"), [
      "apiVersion: nais.io/v1alpha1", "kind: Application", "metadata:", "  name: consumer", "spec:",
      "  maskinporten:", "    enabled: true", "    scopes:", "      consumes:", `        - name: "${scope}"`
    ].join("\n"))
    const doctor = run("npx", ["effect-texas", "doctor"], app, env)
    if (!doctor.includes("all 2 checks passed")) throw new Error(`npx effect-texas doctor did not pass:\n${doctor}`)
    console.log("ok   npx effect-texas doctor reads .nais/app.yaml and passes against the emulator command")

    checkEffect4(work, { protocol: packs.get("@effect-texas/protocol")!, doctor: packs.get("@effect-texas/doctor")! }, env)

    writeFileSync(join(app, "check.cjs"), cjsCheck)
    const cjs = run(process.execPath, ["check.cjs"], app, env)
    if (!cjs.includes(`"scope":"${scope}"`)) throw new Error(`require() did not reach the API:\n${cjs}`)
    console.log("ok   require() of every package (and a module entry point) works, and reached the API")
  } finally {
    emulator?.kill()
    rmSync(work, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.log(`FAIL ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
