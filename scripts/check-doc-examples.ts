/**
 * Type-checks every `@example` in the packages' JSDoc and every ```ts block
 * of the READMEs and guides, so the docs cannot
 * drift from the API: each ```ts block becomes a module under
 * `.doc-examples/` (git-ignored), compiled with the repository's settings
 * against the package sources.
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"

const out = ".doc-examples"
rmSync(out, { recursive: true, force: true })
mkdirSync(out)

const sources = (directory: string): Array<string> =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name)
    return entry.isDirectory() ? sources(path) : entry.name.endsWith(".ts") ? [path] : []
  })

let count = 0
for (const file of readdirSync("packages").flatMap((name) => sources(join("packages", name, "src")))) {
  const text = readFileSync(file, "utf8")
  // JSDoc lines start with " * "; an example is the ```ts ... ``` fence inside them.
  for (const match of text.matchAll(/\* ```ts\n([\s\S]*?)\n\s*\* ```/g)) {
    const code = match[1]!.split("\n").map((line) => line.replace(/^\s*\* ?/, "")).join("\n")
    const line = text.slice(0, match.index).split("\n").length
    const name = `${relative("packages", file).replace(/[/.]/g, "_")}_${line}.ts`
    writeFileSync(join(out, name), `// ${file}:${line}\nexport {}\n${code}\n`)
    count++
  }
}

// The READMEs' ```ts blocks are complete programs too (fragments are fenced as plain text). A block
// that imports effect/http belongs to the Effect 4 line: the root README's are checked from effect4/.
const effect4 = process.cwd().endsWith("effect4")
const isEffect4Block = (code: string) => /from "effect\/http/.test(code)
const guides = effect4 ? [] : readdirSync(join("docs", "guides")).map((name) => join("docs", "guides", name))
const readmes = ["README.md", ...readdirSync("packages").map((name) => join("packages", name, "README.md")), ...guides]
for (const file of effect4 ? [...readmes, join("..", "README.md")] : readmes) {
  const text = readFileSync(file, "utf8")
  const outside = file.startsWith("..")
  for (const match of text.matchAll(/```ts\n([\s\S]*?)\n```/g)) {
    if (outside ? !isEffect4Block(match[1]!) : !effect4 && isEffect4Block(match[1]!)) continue
    // A guide's copy of a program CI type-checks and runs as a file (scripts/guide-programs.ts keeps it equal).
    if (/<!-- program: \S+ -->\n$/.test(text.slice(0, match.index))) continue
    const line = text.slice(0, match.index).split("\n").length
    const name = `${file.replace(/[/.]/g, "_")}_${line}.ts`
    writeFileSync(join(out, name), `// ${file}:${line}\nexport {}\n${match[1]!}\n`)
    count++
  }
}

writeFileSync(
  join(out, "tsconfig.json"),
  JSON.stringify({
    extends: "../tsconfig.json",
    compilerOptions: { noEmit: true, noUnusedLocals: false, noUnusedParameters: false, baseUrl: ".." },
    include: ["*.ts"]
  })
)
const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", join(out, "tsconfig.json")], { encoding: "utf8" })
console.log(tsc.stdout)
console.log(`doc examples: ${count} type-checked, ${tsc.status === 0 ? "all compile" : "some do not"}`)
process.exit(tsc.status === 0 ? 0 : 1)
