/**
 * The shared packages' doc examples that state a value are run, and the value checked: a line
 * `console.log(expression) // value` (or with the value on the comment line after it) must print
 * what it says. A stated value that never prints (inside a branch not taken) fails too. An example
 * whose comment says `...` states no exact value and is only type-checked (`npm run docs`).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Util from "node:util"
import { afterAll, describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../..", import.meta.url))
const out = join(root, "packages/protocol/test/.examples")
const packages = ["protocol", "doctor"]

const sources = (directory: string): Array<string> =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name)
    return entry.isDirectory() ? sources(path) : entry.name.endsWith(".ts") ? [path] : []
  })

interface Example {
  readonly name: string
  readonly code: string
  readonly stated: number
}

/** Rewrites `console.log(args) // value` into `__stated(id, "value", args)`; the number of such lines. */
const instrument = (lines: ReadonlyArray<string>): { readonly code: string; readonly stated: number } => {
  let stated = 0
  const result: Array<string> = []
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!
    const trailing = /console\.log\((.*)\)\s*\/\/\s*(.*)$/.exec(line)
    const next = lines[index + 1]
    const below = trailing === null && /console\.log\((.*)\)\s*$/.exec(line)
    const belowComment = below && next !== undefined ? /^\s*\/\/\s*(.*)$/.exec(next) : null
    const [args, comment] = trailing !== null ? [trailing[1]!, trailing[2]!] : below && belowComment ? [below[1]!, belowComment[1]!] : []
    if (args === undefined || comment === undefined || comment.includes("...")) {
      result.push(line)
      continue
    }
    const call = trailing !== null ? trailing[0] : below ? below[0] : ""
    result.push(line.replace(call, `__stated(${stated}, ${JSON.stringify(comment)}, ${args})`))
    stated++
  }
  return { code: result.join("\n"), stated }
}

const examples: Array<Example> = packages.flatMap((name) =>
  sources(join(root, "packages", name, "src")).flatMap((file) => {
    const text = readFileSync(file, "utf8")
    return [...text.matchAll(/\* ```ts\n([\s\S]*?)\n\s*\* ```/g)].flatMap((match) => {
      const lines = match[1]!.split("\n").map((line) => line.replace(/^\s*\* ?/, ""))
      const imports = lines.filter((line) => /^import /.test(line))
      // Only examples of the Effect-free packages themselves (no Effect, no other package).
      if (!imports.every((line) => /from "@effect-texas\/(protocol|doctor)"/.test(line))) return []
      const { code, stated } = instrument(lines)
      if (stated === 0) return []
      const line = text.slice(0, match.index).split("\n").length
      return [{ name: `${file.slice(root.length)}:${line}`, code, stated }]
    })
  })
)

/** What `console.log` would print for `values`, for comparing with what the example says. */
const printed = (values: ReadonlyArray<unknown>): ReadonlyArray<string> => {
  const plain = values.map((value) => typeof value === "string" ? value : Util.inspect(value, { depth: 5, breakLength: Infinity })).join(" ")
  const quoted = values.map((value) => typeof value === "string" ? JSON.stringify(value) : Util.inspect(value, { depth: 5, breakLength: Infinity })).join(" ")
  return [plain, quoted, plain.replaceAll("'", "\""), quoted.replaceAll("'", "\"")]
}

/** Whether the comment states what was printed: the same, or the same followed by an explanation. */
/** A comment that is a quoted string literal (escapes included), as the string it spells. */
const literal = (comment: string): string | undefined => {
  try {
    const value: unknown = JSON.parse(comment)
    return typeof value === "string" ? value : undefined
  } catch {
    return undefined
  }
}

const says = (comment: string, forms: ReadonlyArray<string>): boolean =>
  literal(comment) === forms[0] ||
  forms.some((form) =>
    comment === form || comment.startsWith(`${form}:`) || comment.startsWith(`${form} `) || comment.startsWith(`${form};`) ||
    // Lists and objects: the same after spacing
    (/^[[{]/.test(form) && comment.replace(/\s+/g, "") === form.replace(/\s+/g, ""))
  )

mkdirSync(out, { recursive: true })
afterAll(() => rmSync(out, { recursive: true, force: true }))

describe("doc examples that state a value print it", () => {
  it("finds the examples (the shared packages state values in many)", () => {
    expect(examples.length).toBeGreaterThan(20)
  })

  for (const [index, example] of examples.entries()) {
    it(example.name, async () => {
      const seen = new Map<number, ReadonlyArray<unknown>>()
      const stated = new Map<number, string>()
      ;(globalThis as { __stated?: unknown }).__stated = (id: number, comment: string, ...values: ReadonlyArray<unknown>) => {
        seen.set(id, values)
        stated.set(id, comment)
      }
      const file = join(out, `example_${index}.ts`)
      writeFileSync(file, `${example.code}\ndeclare global { var __stated: (id: number, comment: string, ...values: ReadonlyArray<unknown>) => void }\nexport {}\n`)
      await import(/* @vite-ignore */ file)
      expect(seen.size, `${example.name}: every stated value printed`).toBe(example.stated)
      for (const [id, values] of seen) {
        const comment = stated.get(id)!
        expect(says(comment, printed(values)), `${example.name}: says "${comment}", prints ${printed(values)[0]}`).toBe(true)
      }
    })
  }
})
