/**
 * Every way a user might print a value the SDK hands out: `String`,
 * `JSON.stringify`, `util.inspect`, and every string reachable through
 * enumerable own properties (what `{...error.response}` and friends show).
 * The suite checks that no token appears in any of them.
 */
import * as Util from "node:util"

const attempt = (make: () => string): string => {
  try {
    return make()
  } catch (error) {
    return `(could not print: ${error instanceof Error ? error.message : "unknown"})`
  }
}

/** Strings reachable from `value` through enumerable own properties (spread, Object.entries). */
const reachableStrings = (value: unknown, seen = new Set<unknown>(), depth = 0): Array<string> => {
  if (typeof value === "string") return [value]
  if (typeof value !== "object" || value === null || seen.has(value) || depth > 8) return []
  seen.add(value)
  const found: Array<string> = []
  for (const key of Object.keys(value)) {
    found.push(...reachableStrings((value as Record<string, unknown>)[key], seen, depth + 1))
  }
  return found
}

export const printedForms = (value: unknown): ReadonlyArray<string> => [
  attempt(() => String(value)),
  attempt(() => JSON.stringify(value) ?? ""),
  attempt(() => Util.inspect(value, { depth: 10 })),
  attempt(() => Util.inspect(typeof value === "object" && value !== null ? { ...value } : value, { depth: 10 })),
  reachableStrings(value).join("\n")
]
