/**
 * The emulator without Effect (`npx tsx examples/emulator-without-effect.ts`):
 * `@effect-texas/emulator` is plain TypeScript, so any test runner, in any
 * codebase, can stand up the sidecar's protocol on loopback. Both lines'
 * testkits wrap this same server as layers.
 */
import * as assert from "node:assert/strict"
import { Fault, startProtectedApi, startTexasEmulator } from "@effect-texas/emulator"

const scope = "skatt:some.scope"
const emulator = await startTexasEmulator({ grantedScopes: [scope] })
const api = await startProtectedApi(emulator, { requiredScope: scope })

const tokenFor = (target: string) =>
  fetch(emulator.tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ identity_provider: "maskinporten", target })
  })

// A token, as the sidecar answers it, accepted by the protected API.
const answer = (await (await tokenFor(scope)).json()) as { access_token: string; expires_in: number; token_type: string }
assert.equal(answer.token_type, "Bearer")
const hello = await fetch(`${api.url}/api/hello`, { headers: { authorization: `Bearer ${answer.access_token}` } })
console.log(`1. POST /api/v1/token -> a ${answer.expires_in} s token; GET /api/hello with it -> ${hello.status}`)

// The sidecar's error for a scope the organisation lacks.
const refused = await tokenFor("skatt:not.granted")
console.log(`2. an ungranted scope -> ${refused.status} ${JSON.stringify(await refused.json())}`)

// A scripted fault, then the log of what the emulator saw.
emulator.inject(Fault.status(503, { retryAfter: 1 }))
console.log(`3. with a fault injected -> ${(await tokenFor(scope)).status}, then ${(await tokenFor(scope)).status}`)
console.log(`4. the emulator saw: ${emulator.requests().map((r) => r.answer).join(", ")} (${emulator.stats().cacheHits} answered from its cache)`)

await api.close()
await emulator.close()
