/**
 * What issue 37 measures, before and after (`npx tsx bench/dev/measure-lines.ts`), a development aid
 * outside `npm test`:
 *
 * - the Effect 4 line's source lines that stand, in the same order, in their Effect 3 twin (the
 *   file at the same path under `packages/`): a longest common subsequence of code lines (blank
 *   lines, comments and imports aside, white space folded), summed over the twins;
 * - the lines in runs of six or more alike lines between the two lines' source files (the same
 *   runs `duplicates` reports), summed per Effect 4 file;
 * - the source files over 300 lines, in both lines and the shared packages.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative, resolve } from "node:path"

const repository = resolve(import.meta.dirname, "..", "..")
const sources = (folder: string): Array<string> =>
  existsSync(folder)
    ? readdirSync(folder).flatMap((name) => {
      const path = join(folder, name)
      if (name === "node_modules" || name === "dist" || name === "test") return []
      return statSync(path).isDirectory() ? sources(path) : name.endsWith(".ts") && path.includes("/src/") ? [path] : []
    })
    : []

/** The code lines of a file: no blank lines, comments or imports; white space folded. */
const codeLines = (file: string): Array<string> => {
  const lines: Array<string> = []
  let inComment = false
  for (const raw of readFileSync(file, "utf8").split("\n")) {
    const line = raw.trim().replace(/\s+/g, " ")
    if (inComment) {
      if (line.includes("*/")) inComment = false
      continue
    }
    if (line.startsWith("/*")) {
      inComment = !line.includes("*/")
      continue
    }
    if (line === "" || line.startsWith("//") || line.startsWith("* ") || /^(import|export \{[^}]*\} from|} from)\b/.test(line)) continue
    lines.push(line)
  }
  return lines
}

const lcs = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): number => {
  let previous = new Array<number>(b.length + 1).fill(0)
  for (const x of a) {
    const current = [0]
    for (let j = 0; j < b.length; j++) current.push(x === b[j] ? previous[j]! + 1 : Math.max(previous[j + 1]!, current[j]!))
    previous = current
  }
  return previous[b.length]!
}

/** Lines of `a` inside runs of six or more consecutive lines that stand, in the same order, somewhere in `b`. */
const inRuns = (a: ReadonlyArray<string>, b: ReadonlyArray<string>, min = 6): number => {
  const covered = new Set<number>()
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      let k = 0
      while (i + k < a.length && j + k < b.length && a[i + k] === b[j + k]) k++
      if (k >= min) for (let n = 0; n < k; n++) covered.add(i + n)
    }
  }
  return covered.size
}

const effect3 = sources(join(repository, "packages"))
const effect4 = sources(join(repository, "effect4", "packages"))
let total = 0
let standing = 0
let repeated = 0
const pairs: Array<string> = []
for (const file of effect4) {
  const lines = codeLines(file)
  total += lines.length
  const twin = join(repository, relative(join(repository, "effect4"), file))
  if (existsSync(twin)) standing += lcs(lines, codeLines(twin))
  // Runs against every Effect 3 source file (a rule may stand in another file there).
  const all = effect3.flatMap(codeLines)
  const run = inRuns(lines, all)
  repeated += run
  if (run > 0) pairs.push(`${relative(repository, file)}: ${run}`)
}
const large = [...effect3, ...effect4]
  .map((file) => [relative(repository, file), readFileSync(file, "utf8").split("\n").length] as const)
  .filter(([, lines]) => lines > 300)
  .sort((a, b) => b[1] - a[1])
console.log(`Effect 4 source: ${total} code lines; ${standing} stand in their Effect 3 twin (${Math.round((standing / total) * 100)}%)`)
console.log(`repeated across the lines (runs of 6+): ${repeated} Effect 4 lines in ${pairs.length} files`)
for (const pair of pairs.sort()) console.log(`  ${pair}`)
console.log(`files over 300 lines: ${large.length}`)
for (const [file, lines] of large) console.log(`  ${file}: ${lines}`)
