#!/usr/bin/env node
/**
 * `effect-texas doctor`: the command of `@effect-texas/doctor`'s `Cli`
 * (arguments, help, output, exit codes, the same on both lines), verifying
 * with this line's `Doctor.verify`. `effect-texas doctor --help` says the rest.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Cli } from "@effect-texas/doctor"
import * as Effect from "effect/Effect"
import { createRequire } from "node:module"
import * as Doctor from "./Doctor.js"

const verify: Cli.Verify = (manifest, options) => Effect.runPromise(Doctor.verify(manifest, options).pipe(Effect.provide(FetchHttpClient.layer)))

const io = { argv: process.argv.slice(2), env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr }
// exitCode, not exit(): what is still being written to a pipe gets out.
const { version } = createRequire(import.meta.url)("../package.json") as { readonly version: string }
process.exitCode = await Cli.main(io, verify, version)
