/**
 * Templated manifests as `nais/deploy` renders them: Handlebars with the
 * variables of `--vars` / `--var`. A variable that is not given is not
 * guessed: it stays visible as `{{name}}` and is named, so the checks that
 * depend on it can say "not checked: templated".
 *
 * @since 0.1.0
 */
import * as HandlebarsModule from "handlebars"

// handlebars is CommonJS (`module.exports = handlebars`): under ESM its API is the default export, under CJS the module itself.
const Handlebars: typeof HandlebarsModule = (HandlebarsModule as unknown as { readonly default?: typeof HandlebarsModule }).default ?? HandlebarsModule

/**
 * Template variables, as a `--vars` file holds them (YAML or JSON) and
 * `--var name=value` adds them.
 *
 * @category Models
 * @since 0.1.0
 */
export type Variables = Readonly<Record<string, unknown>>

/**
 * The manifest's text with every variable that was given filled in, and
 * the names of those that were not. Each of those stands in `text` as a
 * placeholder that parses as plain YAML text; `restore` turns a value read
 * from that YAML back into what a person wrote (`{{name}}`).
 *
 * @category Models
 * @since 0.1.0
 */
export interface Filled {
  readonly text: string
  readonly unfilled: ReadonlyArray<string>
  readonly restore: (value: string) => string
}

/**
 * Why a template cannot be rendered, in one sentence.
 *
 * @category Models
 * @since 0.1.0
 */
export interface TemplateProblem {
  readonly _tag: "TemplateProblem"
  readonly reason: string
}

/** Stands in for an unfilled variable while the YAML is parsed: plain text anywhere in YAML. */
const marker = (index: number) => `__effect_texas_template_${index}__`
const markers = /__effect_texas_template_(\d+)__/g

/**
 * Renders `text` with `variables`, as `nais/deploy` does (Handlebars, values
 * HTML-escaped in `{{ }}` as there). Text without `{{` and no variables is
 * returned as it is: `nais/deploy` only templates when variables are given.
 *
 * @example
 * ```ts
 * import { Template } from "@effect-texas/doctor"
 *
 * const filled = Template.fill("namespace: {{ team }}\nname: {{ app }}", { app: "accounts" })
 * if (!("reason" in filled)) console.log(filled.unfilled) // ["team"]
 * ```
 *
 * @category Rendering
 * @since 0.1.0
 */
export const fill = (text: string, variables: Variables | undefined): Filled | TemplateProblem => {
  if (variables === undefined && !text.includes("{{")) return { text, unfilled: [], restore: (value) => value }
  const tooLarge = sizeProblem(text)
  if (tooLarge !== undefined) return { _tag: "TemplateProblem", reason: tooLarge }
  const unfilled: Array<string> = []
  const handlebars = Handlebars.create()
  // `log` writes to the console: under --json a template could print a document of its own before the report.
  handlebars.registerHelper("log", () => {
    throw new UnknownHelper("log", "which writes to the console, so the doctor does not run it")
  })
  handlebars.registerHelper("helperMissing", function(...args: ReadonlyArray<unknown>) {
    const options = args[args.length - 1] as { readonly name: string }
    if (args.length > 1) throw new UnknownHelper(options.name)
    const known = unfilled.indexOf(options.name)
    return marker(known >= 0 ? known : unfilled.push(options.name) - 1)
  })
  try {
    const rendered = handlebars.compile(text, { strict: false })({ ...variables })
    const restore = (value: string) => value.replace(markers, (_match, index: string) => `{{${unfilled[Number(index)]}}}`)
    return { text: rendered, unfilled, restore }
  } catch (error) {
    return { _tag: "TemplateProblem", reason: sentence(error) }
  }
}

/**
 * Whether `value` (a name, namespace, scope or flag read from a manifest)
 * still holds an unfilled template variable.
 *
 * @example
 * ```ts
 * import { Template } from "@effect-texas/doctor"
 *
 * console.log(Template.isTemplated("{{namespace}}")) // true
 * ```
 *
 * @category Guards
 * @since 0.1.0
 */
export const isTemplated = (value: unknown): boolean => typeof value === "string" && /\{\{[^}]*\}\}/.test(value)

/**
 * The most template expressions (`{{ }}`) and the deepest nesting of blocks a manifest may have.
 * Handlebars' parser and compiler grow faster than the text (6,000 nested `{{#if}}` take seconds
 * per thousand, 150,000 `{{a}}` take gigabytes); a nais manifest has a few dozen and nests a few.
 *
 * @example
 * ```ts
 * import { Template } from "@effect-texas/doctor"
 *
 * const refused = Template.fill("x: {{a}}\n".repeat(Template.limits.expressions + 1), {})
 * if ("reason" in refused) console.log(refused.reason) // it has more than 2000 template expressions, ...
 * ```
 *
 * @category Rendering
 * @since 0.2.0
 */
export const limits = { expressions: 2_000, nesting: 32 } as const

/** An expression's opening braces, unless escaped (`\{{`), and whether it opens (`#`, `^name`) or closes (`/`) a block. */
const expressionStart = /(\\?)\{\{\{?~?\s*(?:([#/])|(\^)(?!\s*~?\}))?/g

/** Why `text` is too large a template to render, from a scan of its braces (no parsing), or undefined. */
const sizeProblem = (text: string): string | undefined => {
  let expressions = 0
  let depth = 0
  for (const match of text.matchAll(expressionStart)) {
    if (match[1] === "\\") continue
    if (++expressions > limits.expressions) return `it has more than ${limits.expressions} template expressions, which no nais manifest needs.`
    if (match[2] === "#" || match[3] === "^") {
      if (++depth > limits.nesting) return `it nests blocks more than ${limits.nesting} deep, which no nais manifest needs.`
    } else if (match[2] === "/") depth = Math.max(0, depth - 1)
  }
  return undefined
}

class UnknownHelper extends Error {
  constructor(readonly helper: string, why = "which is neither a variable nor a Handlebars helper") {
    super(`it calls \`${helper}\`, ${why}`)
  }
}

/** A Handlebars error as one sentence: its first line, with the line it was found on. */
const sentence = (error: unknown): string => {
  if (error instanceof UnknownHelper) return `${error.message}.`
  const first = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim().replace(/[:.]$/, "")
  return `${first.charAt(0).toLowerCase()}${first.slice(1)}.`
}
