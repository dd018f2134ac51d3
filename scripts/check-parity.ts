/**
 * The two lines offer the same (`npm run docs` runs this on the JSON typedoc writes per line): the
 * exports of each package, and the members of each class (a service's too: what it offers, its
 * layers), compared name by name. Every difference must be one of `deliberate` below, with its
 * reason; a difference that is not, or an entry that no longer differs, fails the check.
 */
import { readFileSync } from "node:fs"

interface Reflection {
  readonly name: string
  readonly kind: number
  readonly children?: ReadonlyArray<Reflection>
}

// typedoc's ReflectionKind values
const Module = 2
const Namespace = 4
const Class = 128
const Reference = 4194304

/** What one line has but not the other, and why. Paths are `<package>/<export>[/<member>]`. */
export const deliberate: ReadonlyArray<{ readonly path: string; readonly line: "effect3" | "effect4"; readonly reason: string }> = [
  {
    path: "core/AccessToken/toString",
    line: "effect3",
    reason: "Effect 3's Data.Class prints every field as it is: AccessToken shapes its printed forms itself (one line, never the token); Effect 4's prints a Redacted field as <redacted> already. The behaviour suite's printed-forms cases hold on both."
  },
  { path: "core/AccessToken/toJSON", line: "effect3", reason: "as toString" },
  { path: "core/AccessToken/[NodeInspectSymbol]", line: "effect3", reason: "as toString" },
  {
    path: "core/Organisation",
    line: "effect4",
    reason: "Effect 3 describes the claims with a Schema, whose consumer and supplier types are inline; Effect 4 describes them with an interface that names the organisation's type."
  },
  {
    path: "testkit/TexasEmulatorService",
    line: "effect3",
    reason: "A Context.Tag's shape lives outside the class on Effect 3, exported by name; on Effect 4 it is TexasEmulator[\"Service\"]."
  }
]

/** Every path a line offers: `<package>/<export>` and `<package>/<class>/<member>`, namespaces walked. */
const paths = (file: string): ReadonlySet<string> => {
  const tree = JSON.parse(readFileSync(file, "utf8")) as Reflection
  const found = new Set<string>()
  const walk = (reflection: Reflection, prefix: string) => {
    for (const child of reflection.children ?? []) {
      if (child.kind === Module) {
        // `@effect-texas/core` and its nested modules
        walk(child, child.name.startsWith("@effect-texas/") ? `${child.name.slice("@effect-texas/".length)}/` : `${prefix}${child.name}/`)
        continue
      }
      found.add(`${prefix}${child.name}`)
      if (child.kind === Namespace) walk(child, `${prefix}${child.name}/`)
      if (child.kind === Class) for (const member of child.children ?? []) found.add(`${prefix}${child.name}/${member.name}`)
      if (child.kind === Reference) continue
    }
  }
  walk(tree, "")
  return found
}

const effect3 = paths(process.argv[2] ?? "docs/api-effect3.json")
const effect4 = paths(process.argv[3] ?? "docs/api-effect4.json")
const problems: Array<string> = []
const listed = new Set(deliberate.map((entry) => `${entry.line}:${entry.path}`))
for (const [line, mine, theirs] of [["effect3", effect3, effect4], ["effect4", effect4, effect3]] as const) {
  for (const path of mine) {
    if (theirs.has(path) || listed.has(`${line}:${path}`)) continue
    problems.push(`${path}: only on ${line}`)
  }
}
for (const entry of deliberate) {
  const [mine, theirs] = entry.line === "effect3" ? [effect3, effect4] : [effect4, effect3]
  if (!mine.has(entry.path) || theirs.has(entry.path)) problems.push(`${entry.path}: listed as only on ${entry.line}, which is no longer so`)
}
for (const problem of problems.sort()) console.log(`FAIL ${problem}`)
console.log(`parity: ${effect3.size} Effect 3 and ${effect4.size} Effect 4 names compared, ${deliberate.length} deliberate differences, ${problems.length} problem(s)`)
process.exit(problems.length === 0 ? 0 : 1)
