/**
 * Every exported value of every package (functions, classes, constants,
 * namespaces' members) carries JSDoc with a short `@example` (metrics may
 * share one on their namespace); every exported type has a description. Reads the JSON that `typedoc` writes
 * (`npm run docs` runs both).
 */
import { readFileSync } from "node:fs"

interface Comment {
  readonly summary?: ReadonlyArray<{ readonly text: string }>
  readonly blockTags?: ReadonlyArray<{ readonly tag: string }>
}
interface Reflection {
  readonly name: string
  readonly kind: number
  readonly comment?: Comment
  readonly signatures?: ReadonlyArray<{ readonly comment?: Comment }>
  readonly children?: ReadonlyArray<Reflection>
}

// typedoc's ReflectionKind values
const Module = 2
const Namespace = 4
const Variable = 32
const Function = 64
const Class = 128
const values = new Set([Variable, Function, Class])
// A re-export of what another entry point declares (the testkits re-export @effect-texas/emulator):
// documented, and checked, where it is declared.
const Reference = 4194304

const tree = JSON.parse(readFileSync(process.argv[2] ?? "docs/api.json", "utf8")) as Reflection
const commentOf = (r: Reflection): Comment | undefined => r.comment ?? r.signatures?.find((s) => s.comment)?.comment
const hasSummary = (c: Comment | undefined) => (c?.summary ?? []).some((part) => part.text.trim().length > 0)
const hasExample = (c: Comment | undefined) => (c?.blockTags ?? []).some((tag) => tag.tag === "@example")

const isMetric = (c: Comment | undefined) => (c?.blockTags ?? []).some((tag) => tag.tag === "@category" && JSON.stringify(tag).includes("Metrics"))

const problems: Array<string> = []
let checked = 0
const visit = (reflection: Reflection, path: string) => {
  // The metrics are read alike: one example on their namespace serves them all (no filler).
  const sharedExample = reflection.kind === Namespace && hasExample(commentOf(reflection))
  for (const child of reflection.children ?? []) {
    const name = `${path}${child.name}`
    if (child.kind === Reference) continue
    if (child.kind === Module || child.kind === Namespace) {
      if (child.kind === Namespace && !hasSummary(commentOf(child))) problems.push(`${name}: no description`)
      visit(child, `${name}.`)
      continue
    }
    checked++
    const comment = commentOf(child)
    if (!hasSummary(comment)) problems.push(`${name}: no description`)
    else if (values.has(child.kind) && !hasExample(comment) && !(sharedExample && isMetric(comment))) problems.push(`${name}: no @example`)
  }
}
visit(tree, "")
for (const problem of problems) console.log(`FAIL ${problem}`)
console.log(`docs: ${checked} exports checked, ${problems.length} problem(s)`)
process.exit(problems.length === 0 ? 0 : 1)
