/**
 * What both drivers share that needs no Effect: every way a user might print
 * a value the SDK hands out (`String`, `JSON.stringify`, `util.inspect`, and
 * every string reachable through enumerable own properties, what
 * `{...error.response}` and friends show; the suite checks that no token
 * appears in any of them), a typed failure as the suite sees it, and the
 * step counter behind `runInterruptedAt` / `runJoinedAt`.
 */
import * as Util from "node:util"
import type * as D from "./Driver.js"

/** One print form; one that throws fails the test that asked (it is not left unchecked). */
const attempt = (form: string, make: () => string): string => {
  try {
    return make()
  } catch (error) {
    throw new Error(`printing a value the SDK hands out with ${form} threw: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** The names a user can read off `value`: its own properties (enumerable or not) and every getter of its classes. */
const readableKeys = (value: object): ReadonlyArray<string> => {
  const keys = new Set(Object.getOwnPropertyNames(value))
  for (let proto: unknown = Object.getPrototypeOf(value); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(proto))) if (descriptor.get !== undefined) keys.add(key)
  }
  return [...keys]
}

/** Whether `proto` is an object a value was made from (`Object.create(original)`), not a class's prototype. */
const isInstanceAsPrototype = (proto: unknown): proto is object =>
  typeof proto === "object" && proto !== null && proto !== Object.prototype &&
  !(Object.hasOwn(proto, "constructor") && (proto as { readonly constructor: { readonly prototype?: unknown } }).constructor.prototype === proto)

/**
 * Strings reachable from `value` through own properties (spread, Object.entries, a non-enumerable
 * one read by name), getters (an explicit `response.original`) and a prototype that is another
 * value (`Object.getPrototypeOf(response)`): what an application can reach without private fields.
 */
const reachableStrings = (value: unknown, seen = new Set<unknown>(), depth = 0): Array<string> => {
  if (typeof value === "string") return [value]
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value) || seen.has(value) || depth > 8) return []
  seen.add(value)
  const found: Array<string> = []
  for (const key of readableKeys(value)) {
    let inner: unknown
    try {
      inner = (value as Record<string, unknown>)[key]
    } catch {
      continue
    }
    found.push(...reachableStrings(inner, seen, depth + 1))
  }
  const proto = Object.getPrototypeOf(value)
  if (isInstanceAsPrototype(proto)) found.push(...reachableStrings(proto, seen, depth + 1))
  return found
}

export const printedForms = (value: unknown): ReadonlyArray<string> => [
  attempt("String", () => String(value)),
  attempt("JSON.stringify", () => JSON.stringify(value) ?? ""),
  attempt("util.inspect", () => Util.inspect(value, { depth: 10 })),
  attempt("util.inspect of a spread", () => Util.inspect(typeof value === "object" && value !== null ? { ...value } : value, { depth: 10 })),
  reachableStrings(value).join("\n")
]

/** The `_tag`s reachable from `error` through `reason` and `cause`, nearest first. */
const causesOf = (error: unknown, depth = 0): Array<string> => {
  if (typeof error !== "object" || error === null || depth > 4) return []
  const found: Array<string> = []
  for (const key of ["reason", "cause"] as const) {
    const inner = (error as Record<string, unknown>)[key]
    const tag = typeof inner === "object" && inner !== null ? (inner as { readonly _tag?: unknown })._tag : undefined
    if (typeof tag === "string") found.push(tag)
    found.push(...causesOf(inner, depth + 1))
  }
  return found
}

/** A typed failure as the suite sees it: its tag, message, own fields, and printed forms. */
export const errorView = (error: unknown): D.ErrorView => {
  const tagged = error as { readonly _tag?: unknown; readonly message?: unknown }
  return {
    _tag: typeof tagged._tag === "string" ? tagged._tag : "(untagged)",
    message: typeof tagged.message === "string" ? tagged.message : String(error),
    fields: typeof error === "object" && error !== null ? { ...error } : {},
    causes: causesOf(error),
    printed: printedForms(error)
  }
}

/**
 * Counts the run-loop steps of the first fiber it is shown (the call's own)
 * and, before the `step`-th, does `atStep` with it once. Each line's tracer
 * shows it every operation a fiber evaluates (the tracer's `context`).
 */
export const stepCounter = <F>(step: number, atStep: (fiber: F) => void) => {
  let root: F | undefined
  let taken = 0
  const state = { reached: false }
  const count = (fiber: F): void => {
    root ??= fiber
    if (fiber === root && !state.reached && ++taken >= step) {
      state.reached = true
      atStep(fiber)
    }
  }
  return { count, state }
}
