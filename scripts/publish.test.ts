/**
 * `release:publish`'s handling of a registry token, against a registry on loopback that refuses
 * the publish and echoes what it was sent: the token reaches npm (the registry sees it), but no
 * command line, error or temporary file holds it afterwards.
 */
import { once } from "node:events"
import { readdirSync, readFileSync } from "node:fs"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { tmpdir } from "node:os"
import { describe, expect, it } from "vitest"
import { publish, redact } from "./release.js"

const token = "npm_SecretRehearsalToken0123456789"

/** A registry that has nothing (404 to `npm view`) and refuses every publish with a body quoting the Authorization it got. */
const refusingRegistry = async () => {
  const authorizations: Array<string> = []
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    authorizations.push(request.headers.authorization ?? "")
    request.resume()
    // 403, not 5xx: npm retries a 5xx for a minute before it gives up.
    const status = request.method === "PUT" ? 403 : 404
    response.writeHead(status, { "content-type": "application/json" })
    response.end(JSON.stringify({ error: `refused; you sent _authToken=${token} and ${request.headers.authorization ?? ""}` }))
  })
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  const address = server.address()
  if (typeof address !== "object" || address === null) throw new Error("no address")
  return { url: `http://127.0.0.1:${address.port}/`, authorizations, close: () => new Promise((done) => server.close(done)) }
}

const npmrcFolders = () => readdirSync(tmpdir()).filter((name) => name.startsWith("effect-texas-npmrc-"))

describe("npm run release:publish with a token", () => {
  it("hands the token to npm through its environment, and prints it nowhere when the publish fails", async () => {
    const registry = await refusingRegistry()
    const foldersBefore = npmrcFolders()
    try {
      const failed = await publish({ registry: registry.url, token, provenance: false }).then(() => undefined, (error: unknown) => error)
      expect(failed).toBeInstanceOf(Error)
      const message = (failed as Error).message
      expect(message).toMatch(/npm publish --registry=http:\/\/127\.0\.0\.1:\d+\/ --provenance=false failed/)
      expect(message).not.toContain(token)
      // npm printed the registry's echo of the token: redacted, in both spellings.
      expect(message).toContain("you sent _authToken=<redacted> and Bearer <redacted>")
      // npm's debug log records its command line: no token there (the registry's echo is the registry's doing).
      const log = /complete log of this run can be found in: (\S+)/.exec(message)?.[1]
      expect(log).toBeDefined()
      const argv = readFileSync(log!, "utf8").split("\n").filter((line) => line.includes("verbose argv"))
      expect(argv).toHaveLength(1)
      expect(argv[0]).not.toContain(token)
      // The registry got it: npm read it from the temporary config's ${EFFECT_TEXAS_PUBLISH_TOKEN}.
      expect(registry.authorizations).toContain(`Bearer ${token}`)
      // The temporary config is gone.
      expect(npmrcFolders()).toEqual(foldersBefore)
    } finally {
      await registry.close()
    }
  }, 60_000)

  it("redacts any _authToken value and every token it was given, in any spelling npm prints", () => {
    expect(redact("npm publish --//host/:_authToken=abc123 failed")).toBe("npm publish --//host/:_authToken=<redacted> failed")
    expect(redact('"//host/:_authToken": "xyz"')).toBe('"//host/:_authToken": "<redacted>"')
    expect(redact(`Bearer ${token}`)).toBe("Bearer <redacted>")
  })
})
