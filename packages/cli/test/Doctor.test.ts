/**
 * The Effect 3 line's `Manifest`: the shared reading (`@effect-texas/doctor`) as
 * effects that fail with `ManifestError`. The doctor's checks, verdicts and
 * command are in the behaviour suite (`behaviour/doctor.test.ts`), run by both lines.
 */
import { describe, expect, it } from "@effect/vitest"
import { Manifest } from "@effect-texas/cli"
import * as Effect from "effect/Effect"

const granted = "skatt:some.scope"

const manifestText = (scopes: ReadonlyArray<string>, extra = "") => `apiVersion: nais.io/v1alpha1
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
${scopes.map((scope) => `        - name: "${scope}"`).join("\n")}
${extra}`

const entra = `  azure:
    application:
      enabled: true
  accessPolicy:
    outbound:
      rules:
        - application: accounts
`

describe("Manifest", () => {
  it.effect("reads scopes, the Entra ID targets and TokenX from an Application", () =>
    Effect.gen(function*() {
      const manifest = yield* Manifest.parse(manifestText([granted], `${entra}  tokenx:\n    enabled: true\n`))
      expect(manifest).toMatchObject({
        application: "skatt-reporter",
        namespace: "team",
        maskinporten: true,
        scopes: [granted],
        entraId: true,
        outbound: [{ application: "accounts" }],
        tokenX: true
      })
    }))

  const bad: ReadonlyArray<readonly [string, string, RegExp]> = [
    ["not YAML", "kind: [Application", /is not valid YAML/],
    ["not an Application", "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }", /holds no nais Application/],
    ["an Application without a name", "kind: Application\nspec: {}", /has no metadata.name/]
  ]
  for (const [name, text, says] of bad) {
    it.effect(`a manifest that is ${name}: one ManifestError sentence`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Manifest.parse(text, "app.yaml"))
        expect(error._tag).toBe("ManifestError")
        expect(error.message).toMatch(says)
        expect(error.message.split("\n")).toHaveLength(1)
      }))
  }

  it.effect("an unreadable file names the file and why", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Manifest.read("/nonexistent/app.yaml"))
      expect(error.message).toBe("cannot read /nonexistent/app.yaml: there is no such file (ENOENT).")
    }))
})
