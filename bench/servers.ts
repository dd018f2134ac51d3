/**
 * The emulator and the protected API in a process of their own, as the
 * sidecar and the API are in production: the throughput figures then measure
 * the client's cost, not the servers' garbage collection in the same heap.
 * Prints one JSON line with the URLs and runs until stdin closes.
 */
import { startProtectedApi, startTexasEmulator } from "@effect-texas/testkit"

const scope = process.argv[2] ?? "skatt:some.scope"
const emulator = await startTexasEmulator({ grantedScopes: [scope] })
const api = await startProtectedApi(emulator, { requiredScope: scope })
process.stdout.write(`${JSON.stringify({ tokenEndpoint: emulator.tokenEndpoint, apiUrl: api.url })}\n`)
process.stdin.resume()
process.stdin.on("end", () => {
  void Promise.all([api.close(), emulator.close()]).then(() => process.exit(0))
})
