/**
 * `effect-texas doctor` as a library: reads a manifest, asks the sidecar for
 * a token per declared scope and prints the report, then the same as a
 * startup check that fails when a grant is missing
 * (`npx tsx examples/doctor.ts`). Runs against the embedded emulator; in a
 * pod, run `npx effect-texas doctor` instead.
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { Doctor, Manifest } from "@effect-texas/cli"
import { TexasEmulator } from "@effect-texas/testkit"
import { Console, Effect, Layer } from "effect"

const manifest = `apiVersion: nais.io/v1alpha1
kind: Application
metadata:
  name: skatt-reporter
  namespace: team
spec:
  image: ghcr.io/navikt/skatt-reporter
  maskinporten:
    enabled: true
    scopes:
      consumes:
        - name: "skatt:some.scope"
        - name: "skatt:not.yet.granted"
`

const program = Effect.gen(function*() {
  const emulator = yield* TexasEmulator
  const env = { NAIS_TOKEN_ENDPOINT: emulator.tokenEndpoint }
  const report = yield* Doctor.verify(yield* Manifest.parse(manifest), { env })
  yield* Console.log(Doctor.render(report))
  if (report.ok || report.checks.filter((check) => !check.ok).map((check) => check.verdict).join() !== "invalid_scope") {
    return yield* Effect.die(new Error("expected exactly one invalid_scope"))
  }
  // The grant arrives (the API owner acted, 15 minutes passed): the same check passes.
  yield* emulator.grant("skatt:not.yet.granted")
  const again = yield* Doctor.verify(yield* Manifest.parse(manifest), { env })
  yield* Console.log(`\nafter the grant: ${again.ok ? "all checks passed" : "still failing"}`)
  if (!again.ok) return yield* Effect.die(new Error("the grant did not help"))
})

program.pipe(
  Effect.provide(Layer.mergeAll(TexasEmulator.layer({ grantedScopes: ["skatt:some.scope"] }), FetchHttpClient.layer)),
  NodeRuntime.runMain
)
