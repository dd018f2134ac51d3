/**
 * What the guides say their programs print, checked against what they do print: a
 * `<!-- output: <program> [<program> …] [| emulator <args>] -->` line before a ```text block names
 * the programs (a pair, one per line) whose output the block shows. `run-examples.ts` runs every
 * example anyway; for those named here it also compares. With `| emulator <args>` the program runs
 * against `effect-texas-emulator <args>` with the variables it prints exported, as the guide tells a
 * reader to do.
 *
 * The comparison is line by line, in order, ignoring what differs per run: loopback ports, times
 * of day and remaining lifetimes; lines the program prints besides (log lines, test runners'
 * details) may come between, and a `...` line in the block stands for any number of lines.
 */
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"

const repository = resolve(import.meta.dirname, "..")

export interface Expected {
  /** The guide the block is in, from the repository. */
  readonly guide: string
  readonly lines: ReadonlyArray<string>
  /** The emulator command's arguments, when the program runs against it. */
  readonly emulator: ReadonlyArray<string> | undefined
}

const marker = /<!-- output: ([^>|]+?)(?: \| emulator ([^>]*?))? -->\n```text\n([\s\S]*?)```\n/g

/** Every output block of the guides, by the absolute path of each program it names. */
export const expectedOutputs = (): ReadonlyMap<string, ReadonlyArray<Expected>> => {
  const found = new Map<string, Array<Expected>>()
  const folder = join(repository, "docs", "guides")
  for (const file of readdirSync(folder).filter((name) => name.endsWith(".md"))) {
    const text = readFileSync(join(folder, file), "utf8")
    for (const [, programs, emulator, block] of text.matchAll(marker)) {
      const expected = { guide: join("docs", "guides", file), lines: block!.trimEnd().split("\n"), emulator: emulator?.trim().split(/\s+/) }
      for (const program of programs!.trim().split(/\s+/)) {
        const path = resolve(dirname(join(folder, file)), program)
        found.set(path, [...(found.get(path) ?? []), expected])
      }
    }
  }
  return found
}

/** What differs from run to run, made the same. */
export const normalise = (line: string) =>
  line
    .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
    .replace(/\b\d+m \d+s\b/g, "<lifetime>")
    .trimEnd()

/** `undefined` when `output` shows every line of `expected` in order, else what is missing. */
export const compare = (expected: ReadonlyArray<string>, output: string): string | undefined => {
  const printed = output.split("\n").map(normalise)
  let at = 0
  for (const line of expected.map(normalise)) {
    if (line === "...") continue
    const found = printed.indexOf(line, at)
    if (found < 0) return `the guide shows a line the program did not print (in this order):\n  ${line}`
    at = found + 1
  }
  return undefined
}
