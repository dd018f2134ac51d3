#!/usr/bin/env node
/**
 * `effect-texas doctor [--manifest <file>] [--json]` on Effect 4: exit 0 when
 * every check passes, 1 when one fails, 2 when the manifest cannot be used.
 *
 * @since 1.0.0
 */
import { Checkup } from "@effect-texas/doctor"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Doctor from "./Doctor.js"
import * as Manifest from "./Manifest.js"

let exitCode = 0

const doctor = Command.make(
  "doctor",
  {
    manifest: Flag.String("manifest").pipe(
      Flag.withDescription("the nais Application manifest (default: the first of .nais/*.yaml, .nais/*.yml, nais.yaml)"),
      Flag.optional
    ),
    json: Flag.Boolean("json").pipe(Flag.withDescription("print the report as JSON"), Flag.withDefault(false))
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
        Effect.andThen(
          Effect.sync(() => {
            exitCode = 2
          }),
          Console.error(error.message)
        ))
    )
).pipe(Command.withDescription("check that the application is set up for its tokens"))

const cli = Command.runWith(Command.make("effect-texas").pipe(Command.withSubcommands([doctor])), { version: "1.0.0" })

const exit = await Effect.runPromiseExit(
  cli(process.argv.slice(2)).pipe(Effect.provide(Layer.mergeAll(NodeServices.layer, FetchHttpClient.layer)))
)
process.exit(Exit.isSuccess(exit) ? exitCode : 2)
