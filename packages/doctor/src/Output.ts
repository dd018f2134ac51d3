/**
 * The doctor's report as a person reads it (a table, coloured only when
 * asked) and as a program reads it (one JSON document, also when the
 * manifest could not be used). Tokens never appear: no check carries one.
 *
 * @since 0.1.0
 */
import type { Report } from "./Plan.js"

/**
 * How to render for a terminal.
 *
 * @category Options
 * @since 0.1.0
 */
export interface RenderOptions {
  /**
   * Colour the verdicts with ANSI escapes (`Cli.useColour` decides it for a
   * stream: a terminal, and `NO_COLOR` not set).
   * @default false
   */
  readonly colour?: boolean | undefined
}

/**
 * Text as a terminal may show it: control characters (escape sequences that
 * could move the cursor, erase a FAIL line or print a fake "ok", and line
 * breaks) from what a server or a manifest said become \uFFFD. Every line
 * the doctor prints on a terminal goes through it.
 *
 * @example
 * ```ts
 * import { Output } from "@effect-texas/doctor"
 *
 * console.log(Output.printable("app\u001b[2K ok")) // "app\uFFFD[2K ok"
 * ```
 *
 * @category Rendering
 * @since 0.2.0
 */
// eslint-disable-next-line no-control-regex
export const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "\uFFFD")

const labels = { ok: ["ok  ", "32"], failed: ["FAIL", "31"], "not checked": ["SKIP", "33"] } as const

/**
 * The report as a table for a terminal: a line per check (`ok`, `FAIL`, or
 * `SKIP` for one that could not be made), what the sidecar said and a hint
 * under a failure, then a summary line.
 *
 * @example
 * ```ts
 * import { Output } from "@effect-texas/doctor"
 *
 * console.log(Output.render({ application: "app", kind: "Application", cluster: "dev-gcp", ok: true, checks: [], warnings: [] }))
 * ```
 *
 * @category Rendering
 * @since 0.1.0
 */
export const render = (report: Report, options: RenderOptions = {}): string => {
  const paint = (code: string, text: string) => (options.colour === true ? `\u001b[${code}m${text}\u001b[0m` : text)
  const kindWidth = Math.max(12, ...report.checks.map((c) => c.kind.length))
  const width = Math.max(5, ...report.checks.map((c) => printable(c.scope).length))
  const indent = `      ${" ".repeat(kindWidth)} ${" ".repeat(width)}  `
  const lines = report.checks.flatMap((c) => {
    const [label, code] = labels[c.status]
    return [
      `${paint(code, label)}  ${c.kind.padEnd(kindWidth)} ${printable(c.scope).padEnd(width)}  ${printable(c.verdict)}`,
      ...(c.ok || c.errorDescription === undefined ? [] : [`${indent}${printable(c.errorDescription)}`]),
      ...(c.ok || c.hint === undefined ? [] : [`${indent}hint: ${printable(c.hint)}`])
    ]
  })
  return [...lines, summary(report)].join("\n")
}

/** `accounts: 3 of 4 checks passed, 1 failed` and the like. */
const summary = (report: Report): string => {
  const application = printable(report.application)
  const count = (status: string) => report.checks.filter((c) => c.status === status).length
  if (report.checks.length === 0) return `${application}: nothing to check`
  const passed = count("ok")
  if (passed === report.checks.length) return `${application}: all ${passed} checks passed`
  const more = [count("failed") > 0 ? `${count("failed")} failed` : "", count("not checked") > 0 ? `${count("not checked")} not checked` : ""]
  return `${application}: ${passed} of ${report.checks.length} checks passed, ${more.filter((part) => part !== "").join(", ")}`
}

/**
 * The report as one JSON document: `ok`, `application`, `kind`, `cluster`,
 * `warnings`, and per check `kind`, `scope`, `status`, `ok`, `verdict`,
 * `error`, `errorDescription` and `hint` (null when there is none).
 *
 * @example
 * ```ts
 * import { Output } from "@effect-texas/doctor"
 *
 * const text = Output.toJson({ application: "app", kind: "Application", cluster: undefined, ok: true, checks: [], warnings: [] })
 * ```
 *
 * @category Rendering
 * @since 0.1.0
 */
export const toJson = (report: Report): string =>
  JSON.stringify(
    { ok: report.ok, application: report.application, kind: report.kind, cluster: report.cluster, warnings: report.warnings, checks: report.checks },
    (_key, value: unknown) => (value === undefined ? null : value),
    2
  )

/**
 * What kept the doctor from a report: the manifest (exit 2), the command
 * line (64), or the doctor itself (70).
 *
 * @category Models
 * @since 0.1.0
 */
export type ErrorKind = "manifest" | "usage" | "internal"

/**
 * What went wrong before there was a report, as the one JSON document of
 * `--json`: `{"ok":false,"error":{"kind":"manifest","message":"...","exitCode":2}}`.
 *
 * @example
 * ```ts
 * import { Output } from "@effect-texas/doctor"
 *
 * console.log(Output.errorJson("manifest", "nais.yaml holds no nais Application or Naisjob.", 2))
 * ```
 *
 * @category Rendering
 * @since 0.1.0
 */
export const errorJson = (kind: ErrorKind, message: string, exitCode: number): string =>
  JSON.stringify({ ok: false, error: { kind, message, exitCode } }, undefined, 2)
