#!/usr/bin/env node
/**
 * `effect-texas doctor [--manifest <file>] [--json]`: exit 0 when every check
 * passes, 1 when one fails, 2 when the manifest cannot be used.
 *
 * @since 0.2.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { Checkup } from "@effect-texas/doctor"
import * as Doctor from "./Doctor.js"
import * as Manifest from "./Manifest.js"

let exitCode = 0

const doctor = Command.make(
  "doctor",
  {
    manifest: Options.text("manifest").pipe(
      Options.withDescription("the nais Application manifest (default: the first of .nais/*.yaml, .nais/*.yml, nais.yaml)"),
      Options.optional
    ),
    json: Options.boolean("json").pipe(Options.withDescription("print the report as JSON"))
  },
  ({ json, manifest }) =>
    Effect.gen(function*() {
      const path = Option.isSome(manifest) ? manifest.value : yield* Manifest.find(process.cwd())
      const read = yield* Manifest.read(path)
      const nothing = Checkup.nothingToCheck(read, path)
      if (nothing !== undefined) return yield* new Manifest.ManifestError({ reason: nothing })
      const report = yield* Doctor.verify(read)
      yield* Console.log(json ? Doctor.toJson(report) : Doctor.render(report))
      exitCode = report.ok ? 0 : 1
    }).pipe(
      Effect.catchTag("ManifestError", (error) =>
        Effect.sync(() => {
          exitCode = 2
        }).pipe(Effect.zipRight(Console.error(error.message))))
    )
).pipe(Command.withDescription("check that the application is set up for its tokens"))

const cli = Command.run(Command.make("effect-texas").pipe(Command.withSubcommands([doctor])), {
  name: "effect-texas",
  version: "0.1.0"
})

const exit = await Effect.runPromiseExit(
  cli(process.argv).pipe(Effect.provide(NodeContext.layer), Effect.provide(FetchHttpClient.layer))
)
process.exit(Exit.isSuccess(exit) ? exitCode : 2)
