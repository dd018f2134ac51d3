/**
 * The `effect-texas doctor` command, the same on both lines: its arguments,
 * its help, its output and its exit codes. A line gives it only the way to
 * verify a manifest (its `Doctor.verify`), so the two commands cannot drift.
 *
 * @since 0.1.0
 */
import { resolve } from "node:path"
import { parseArgs } from "node:util"
import type * as Manifest from "./Manifest.js"
import { find, isProblem, read, readVariables } from "./Manifest.js"
import * as Output from "./Output.js"
import type { PlanOptions, Report } from "./Plan.js"
import type { Variables } from "./Template.js"

// ---- Models ------------------------------------------------------------------

/**
 * The command's exit codes: 0 every check passed, 1 a check failed, 2 the
 * manifest (or the variables file) cannot be used, 64 the command line is
 * wrong (`EX_USAGE` of sysexits.h), 70 the doctor itself failed (`EX_SOFTWARE`).
 *
 * @example
 * ```ts
 * import { Cli } from "@effect-texas/doctor"
 *
 * const failedACheck = (code: number) => code === Cli.ExitCode.problem
 * ```
 *
 * @category Models
 * @since 0.1.0
 */
export const ExitCode = { ok: 0, problem: 1, unusable: 2, usage: 64, software: 70 } as const

/**
 * What the command reads and writes: `process`'s parts, or a test's.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Io {
  /** The arguments after the program's name (`process.argv.slice(2)`). */
  readonly argv: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  readonly stdout: { readonly write: (text: string) => unknown; readonly isTTY?: boolean | undefined }
  readonly stderr: { readonly write: (text: string) => unknown }
}

/**
 * How a line verifies a manifest: its `Doctor.verify`, run to a promise.
 *
 * @category Models
 * @since 0.1.0
 */
export type Verify = (manifest: Manifest.Manifest, options: PlanOptions) => Promise<Report>

/**
 * A command line that asks for the doctor.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Invocation {
  readonly _tag: "Doctor"
  readonly manifest: string | undefined
  readonly cluster: string | undefined
  readonly varsFile: string | undefined
  readonly vars: Readonly<Record<string, string>>
  readonly json: boolean
}

/**
 * What a command line asks for.
 *
 * @category Models
 * @since 0.1.0
 */
export type Parsed = Invocation | { readonly _tag: "Help" } | { readonly _tag: "Version" } | { readonly _tag: "UsageError"; readonly message: string }

// ---- Help --------------------------------------------------------------------

/**
 * The help of `effect-texas doctor`: usage, options, the variables it reads,
 * exit codes and an example, as `--help` prints it.
 *
 * @example
 * ```ts
 * import { Cli } from "@effect-texas/doctor"
 *
 * process.stdout.write(Cli.help)
 * ```
 *
 * @category Help
 * @since 0.1.0
 */
export const help = `effect-texas doctor: is this application set up for its tokens?

Reads the application's nais manifest (an Application or a Naisjob) and asks
the token sidecar, as the application would: one token per Maskinporten scope
it consumes and per application it calls with Entra ID, and one introspection
per provider whose tokens it validates (TokenX, ID-porten, Entra ID login,
exposed Maskinporten scopes), to see that the provider answers. Run it where
the application runs (in its pod, or beside a sidecar). It never prints a token.

Usage
  effect-texas doctor [--manifest <file>] [--cluster <name>]
                      [--var <name>=<value>]... [--vars <file>] [--json]

Options
  --manifest <file>     the nais manifest; default: the first of .nais/*.yaml,
                        .nais/*.yml and nais.yaml in the working directory
  --cluster <name>      the cluster the application runs in, for Entra ID
                        targets (default: NAIS_CLUSTER_NAME)
  --var <name>=<value>  fill a template variable ({{name}}), as nais/deploy's
                        VAR does; repeat for more; wins over --vars
  --vars <file>         fill template variables from a YAML or JSON file, as
                        nais/deploy's VARS does
  --json                print one JSON document on stdout, also on errors
  -h, --help            print this help
  --version             print the version

  Template variables that are not filled are named in a warning, and the
  checks that depend on them are reported "not checked: templated".

Environment
  NAIS_TOKEN_ENDPOINT                machine tokens (set by the platform)
  NAIS_TOKEN_EXCHANGE_ENDPOINT       token exchange, checked with TokenX
  NAIS_TOKEN_INTROSPECTION_ENDPOINT  introspection, checked per provider
  NAIS_CLUSTER_NAME                  the cluster, when --cluster is not given
  NO_COLOR                           no colour (there is none when stdout is
                                     not a terminal either)

Exit codes
  0   no check failed (checks that could not be made are named in warnings;
      a workload that uses no tokens has nothing to check)
  1   a check failed
  2   the manifest or the --vars file cannot be used (not YAML, no
      Application or Naisjob in it, no metadata.name, unreadable)
  64  the command line is wrong
  70  the doctor itself failed

Example
  effect-texas doctor --manifest .nais/app.yaml --vars .nais/dev.yaml --json
`

const usage = "Run `effect-texas doctor --help` for its options."

// ---- Arguments ---------------------------------------------------------------

/** Node's own parser's error as a sentence of ours. */
const usageMessage = (error: unknown): string => {
  const code = (error as { readonly code?: unknown }).code
  const message = error instanceof Error ? error.message : String(error)
  const option = /'(-[^' ]+)/.exec(message)?.[1] ?? "an option"
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${option}.`
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return `${option} needs a value.`
    default:
      return `the command line cannot be read: ${message.split(".")[0]}.`
  }
}

/**
 * Reads a command line (the arguments after `effect-texas`).
 *
 * @example
 * ```ts
 * import { Cli } from "@effect-texas/doctor"
 *
 * const parsed = Cli.parse(["doctor", "--manifest", "nais.yaml", "--var", "namespace=team"])
 * ```
 *
 * @category Arguments
 * @since 0.1.0
 */
export const parse = (argv: ReadonlyArray<string>): Parsed => {
  let values: Record<string, string | boolean | Array<string> | undefined>
  let positionals: Array<string>
  try {
    ;({ positionals, values } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        manifest: { type: "string" },
        cluster: { type: "string" },
        var: { type: "string", multiple: true },
        vars: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" }
      }
    }))
  } catch (error) {
    return { _tag: "UsageError", message: usageMessage(error) }
  }
  if (values["help"] === true) return { _tag: "Help" }
  if (values["version"] === true) return { _tag: "Version" }
  if (positionals.length === 0) return { _tag: "UsageError", message: "no command given: the one command is `effect-texas doctor`." }
  if (positionals[0] !== "doctor") return { _tag: "UsageError", message: `unknown command ${positionals[0]}: the one command is doctor.` }
  if (positionals.length > 1) return { _tag: "UsageError", message: `doctor takes no arguments, only options (got ${positionals[1]}).` }
  const vars: Record<string, string> = {}
  for (const entry of (values["var"] as Array<string> | undefined) ?? []) {
    const equals = entry.indexOf("=")
    if (equals <= 0) return { _tag: "UsageError", message: `--var takes <name>=<value> (got ${entry}).` }
    vars[entry.slice(0, equals)] = entry.slice(equals + 1)
  }
  const text = (name: string) => values[name] as string | undefined
  return { _tag: "Doctor", manifest: text("manifest"), cluster: text("cluster"), varsFile: text("vars"), vars, json: values["json"] === true }
}

/**
 * Whether to colour what goes to `stream`: a terminal, `NO_COLOR` not set
 * (https://no-color.org), and a terminal that can (`TERM` is not `dumb`).
 *
 * @example
 * ```ts
 * import { Cli } from "@effect-texas/doctor"
 *
 * console.log(Cli.useColour(process.stdout, process.env))
 * ```
 *
 * @category Output
 * @since 0.1.0
 */
export const useColour = (stream: { readonly isTTY?: boolean | undefined }, env: Readonly<Record<string, string | undefined>>): boolean =>
  stream.isTTY === true && (env["NO_COLOR"] ?? "") === "" && env["TERM"] !== "dumb"

// ---- Running -----------------------------------------------------------------

/** The variables of `--vars` with `--var` over them, undefined when neither was given. */
const variablesOf = (invocation: Invocation, cwd: string): Variables | undefined | Manifest.Problem => {
  if (invocation.varsFile === undefined && Object.keys(invocation.vars).length === 0) return undefined
  const file = invocation.varsFile === undefined ? {} : readVariables(resolve(cwd, invocation.varsFile))
  return isProblem(file) ? file : { ...file, ...invocation.vars }
}

/** The manifest the invocation names (or the project has), read with its variables. */
const manifestOf = (invocation: Invocation, cwd: string): Manifest.Manifest | Manifest.Problem => {
  const variables = variablesOf(invocation, cwd)
  if (isProblem(variables)) return variables
  const path = invocation.manifest === undefined ? find(cwd) : resolve(cwd, invocation.manifest)
  return isProblem(path) ? path : read(path, { variables })
}

/**
 * Runs `effect-texas <argv>` and returns its exit code (see `ExitCode`); a
 * line's bin passes its own `verify` and sets `process.exitCode`.
 *
 * @example
 * ```ts
 * import { Cli } from "@effect-texas/doctor"
 *
 * declare const verify: Cli.Verify
 * const io = { argv: process.argv.slice(2), env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr }
 * process.exitCode = await Cli.main(io, verify, "0.1.0")
 * ```
 *
 * @category Running
 * @since 0.1.0
 */
export const main = async (io: Io, verify: Verify, version: string): Promise<number> => {
  const parsed = parse(io.argv)
  const json = io.argv.includes("--json")
  const fail = (kind: Output.ErrorKind, message: string, exitCode: number, hint?: string) => {
    if (json) io.stdout.write(`${Output.errorJson(kind, message, exitCode)}\n`)
    else io.stderr.write(`effect-texas doctor: ${Output.printable(message)}\n${hint === undefined ? "" : `${hint}\n`}`)
    return exitCode
  }
  switch (parsed._tag) {
    case "Help":
      io.stdout.write(help)
      return ExitCode.ok
    case "Version":
      io.stdout.write(`${version}\n`)
      return ExitCode.ok
    case "UsageError":
      return fail("usage", parsed.message, ExitCode.usage, usage)
  }
  const manifest = manifestOf(parsed, io.cwd)
  if (isProblem(manifest)) return fail("manifest", manifest.reason, ExitCode.unusable)
  try {
    const report = await verify(manifest, { env: io.env, cluster: parsed.cluster })
    if (parsed.json) io.stdout.write(`${Output.toJson(report)}\n`)
    else {
      for (const warning of report.warnings) io.stderr.write(`warning: ${Output.printable(warning)}\n`)
      io.stdout.write(`${Output.render(report, { colour: useColour(io.stdout, io.env) })}\n`)
    }
    return report.ok ? ExitCode.ok : ExitCode.problem
  } catch (error) {
    return fail("internal", `the doctor itself failed (please report it): ${error instanceof Error ? error.message : String(error)}`, ExitCode.software)
  }
}
