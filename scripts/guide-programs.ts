/**
 * The guides show the programs CI runs, as text a reader sees in any Markdown viewer (GitHub, an
 * editor) and on the site alike: a `<!-- program: <path> -->` line (invisible in both) before a
 * ```ts block holding that file as it is. `test:examples` runs the files; this checks that each
 * block is its file, letter for letter, and that no Markdown a user opens holds a raw typedoc
 * directive (`{@include…}`), which only the site would expand.
 *
 * Each guide serves both lines alike: an install block per line (`<!-- install: effect3 -->`, then
 * `<!-- install: effect4 -->`, each a ```sh block) naming every package that line's programs in the
 * guide import, at that line's major; and its programs in pairs, the Effect 3 file
 * (`examples/<name>`) then its Effect 4 twin (`effect4/examples/<name>`). The release rehearsal
 * installs exactly these lines in fresh apps and runs the programs there.
 *
 *   tsx scripts/guide-programs.ts           # check (in `npm run docs`)
 *   tsx scripts/guide-programs.ts --write   # copy each program into its block
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { guidePrograms, importedPackages, installBlocks, lineOf, major } from "./guides.js"

const repository = resolve(import.meta.dirname, "..")
const write = process.argv.includes("--write")

const guides = readdirSync(join(repository, "docs", "guides")).filter((file) => file.endsWith(".md")).map((file) => join(repository, "docs", "guides", file))
const packageReadmes = ["packages", join("effect4", "packages")].flatMap((folder) =>
  readdirSync(join(repository, folder)).map((name) => join(repository, folder, name, "README.md")).filter(existsSync))
const markdown = [join(repository, "README.md"), join(repository, "effect4", "README.md"), ...guides, ...packageReadmes]

/** A marker, then its block (the block's text in group 2). */
const block = /<!-- program: (\S+) -->\n```ts\n([\s\S]*?)```\n/g

const problems: Array<string> = []
let programs = 0
for (const file of guides) {
  const text = readFileSync(file, "utf8")
  const synced = text.replace(block, (whole, path: string, shown: string) => {
    programs++
    const source = resolve(dirname(file), path)
    if (!existsSync(source)) {
      problems.push(`${file.slice(repository.length + 1)}: no program at ${path}`)
      return whole
    }
    const program = readFileSync(source, "utf8")
    if (shown !== program && !write) problems.push(`${file.slice(repository.length + 1)}: the block for ${path} is not the program CI runs (npx tsx scripts/guide-programs.ts --write)`)
    return `<!-- program: ${path} -->\n\`\`\`ts\n${program}\`\`\`\n`
  })
  if (write && synced !== text) writeFileSync(file, synced)
}


for (const file of guides) {
  const name = file.slice(repository.length + 1)
  const text = readFileSync(file, "utf8")
  const shown = guidePrograms(text)
  for (let at = 0; at < shown.length; at += 2) {
    const [three, four] = [shown[at]!, shown[at + 1]]
    if (lineOf(three) !== "effect3" || four === undefined || lineOf(four) !== "effect4" || four.split("/").at(-1) !== three.split("/").at(-1)) {
      problems.push(`${name}: programs come in pairs, examples/<name> then effect4/examples/<name>; found ${three} then ${four ?? "nothing"}`)
    }
  }
  const blocks = installBlocks(text)
  for (const line of ["effect3", "effect4"] as const) {
    const commands = blocks.get(line)
    if (commands === undefined) {
      problems.push(`${name}: no install block for ${line} (<!-- install: ${line} --> before a sh block)`)
      continue
    }
    const named = new Map(commands.flat().filter((word) => !word.startsWith("-")).map((spec) => {
      const at = spec.lastIndexOf("@")
      return at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] as const : [spec, ""] as const
    }))
    for (const [pkg, range] of named) {
      if (pkg.startsWith("@effect-texas/") && range !== `^${major[line]}`) problems.push(`${name}: ${line}'s install block names ${pkg}@${range}, not @^${major[line]}`)
    }
    for (const program of shown.filter((path) => lineOf(path) === line)) {
      const source = resolve(dirname(file), program)
      if (!existsSync(source)) continue
      for (const pkg of importedPackages(readFileSync(source, "utf8"))) {
        if (!named.has(pkg)) problems.push(`${name}: ${program} imports ${pkg}, which ${line}'s install block does not install`)
      }
    }
  }
}

for (const file of markdown) {
  const text = readFileSync(file, "utf8")
  // A program a reader copies ends in the platform runtime's runMain, which prints a failure's
  // cause; Effect.runPromise rejects with an object Node prints as "[object Object]".
  for (const match of text.matchAll(/```ts\n([\s\S]*?)```\n/g)) {
    const code = match[1]!
    const isTest = /\b(it\.(effect|live|scoped|layer)|test|it|describe)\(/.test(code)
    if (!isTest && /\bEffect\.run(Promise|Sync|Fork)\b/.test(code)) {
      problems.push(`${file.slice(repository.length + 1)}:${text.slice(0, match.index).split("\n").length}: a program ends in Effect.run*, not the platform runtime's runMain`)
    }
  }
  for (const [directive] of text.matchAll(/\{@include[^}]*\}/g)) problems.push(`${file.slice(repository.length + 1)}: a raw directive a Markdown viewer shows as it is: ${directive}`)
}
// The emulator command prints every variable the guides' programs and snippets read (the service
// layers read theirs through layerConfig), so a reader who exports what it prints can run them all.
const printed = new Set([...readFileSync(join(repository, "packages", "emulator", "src", "Command.ts"), "utf8").matchAll(/export ([A-Z_]+)=/g)].map(([, name]) => name!))
const byLayer: Record<string, string> = {
  "TokenService.layerConfig": "NAIS_TOKEN_ENDPOINT",
  "TokenExchange.layerConfig": "NAIS_TOKEN_EXCHANGE_ENDPOINT",
  "TokenIntrospection.layerConfig": "NAIS_TOKEN_INTROSPECTION_ENDPOINT",
  "AltinnToken.layerConfig": "ALTINN_PLATFORM_URL"
}
for (const file of guides) {
  const text = readFileSync(file, "utf8")
  const programs = guidePrograms(text).map((path) => readFileSync(resolve(dirname(file), path), "utf8"))
  const snippets = [...text.matchAll(/```ts\n([\s\S]*?)```\n/g)].map(([, code]) => code!)
  for (const code of [...programs, ...snippets]) {
    const read = [
      ...[...code.matchAll(/Config\.[A-Za-z]+\("([A-Z][A-Z_]+)"\)|process\.env\[?"?([A-Z][A-Z_]+)/g)].map(([, a, b]) => (a ?? b)!),
      ...Object.entries(byLayer).filter(([layer]) => code.includes(layer)).map(([, name]) => name)
    ]
    for (const name of new Set(read)) {
      if (!printed.has(name)) problems.push(`${file.slice(repository.length + 1)}: reads ${name}, which the emulator command does not print`)
    }
  }
}

for (const problem of problems) console.log(`FAIL ${problem}`)
console.log(`guides: ${programs} programs in ${guides.length} guides, ${markdown.length} Markdown files read, ${problems.length} problem(s)`)
process.exit(problems.length === 0 ? 0 : 1)
