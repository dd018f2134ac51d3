/**
 * `effect-texas doctor` as a library on Effect 4: reads a manifest, asks the sidecar for
 * a token per declared scope and Entra ID target and prints the report (a
 * scope not granted, an API whose inbound rules do not name the app), then
 * checks again once both are granted
 * (`npx tsx examples/doctor.ts` in `effect4/`). Runs against the embedded emulator; in a
 * pod, run `npx effect-texas doctor` instead.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Doctor, Manifest } from "@effect-texas/cli"
import { TexasEmulator } from "@effect-texas/testkit"
import { Console, Effect, Layer } from "effect"
import { FetchHttpClient } from "effect/http"

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
  azure:
    application:
      enabled: true
  accessPolicy:
    outbound:
      rules:
        - application: accounts
`

const program = Effect.gen(function*() {
  const emulator = yield* TexasEmulator
  const env = { NAIS_TOKEN_ENDPOINT: emulator.tokenEndpoint, NAIS_CLUSTER_NAME: "dev-gcp" }
  const report = yield* Doctor.verify(yield* Manifest.parse(manifest), { env })
  yield* Console.log(Doctor.render(report))
  if (report.ok || report.checks.filter((check) => !check.ok).map((check) => check.verdict).join() !== "invalid_scope,not assigned") {
    return yield* Effect.die(new Error("expected an invalid_scope and a target that does not let the app in"))
  }
  // The grant arrives (the API owner acted, 15 minutes passed) and accounts adds the app to its inbound rules.
  yield* emulator.grant("skatt:not.yet.granted", "api://dev-gcp.team.accounts/.default")
  const again = yield* Doctor.verify(yield* Manifest.parse(manifest), { env })
  yield* Console.log(`\nafter the grant: ${again.ok ? "all checks passed" : "still failing"}`)
  if (!again.ok) return yield* Effect.die(new Error("the grant did not help"))
})

program.pipe(
  Effect.provide(Layer.mergeAll(TexasEmulator.layer({ grantedScopes: ["skatt:some.scope"] }), FetchHttpClient.layer)),
  NodeRuntime.runMain
)
