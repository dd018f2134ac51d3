/**
 * The outbound middleware's decisions, which both lines' `authenticate` follow step by step. The
 * redirect rules are the fetch standard's (what `fetch` itself would do); the 401 rule is ours: a
 * token the API rejected is renewed once through the sidecar, whose cache may hand the same token
 * back (nais/texas `src/cache.rs`): then the 401 stands.
 */
import { Outbound } from "@effect-texas/protocol"
import { describe, expect, it } from "vitest"

const policy: Outbound.Policy = { allows: (url) => new URL(url).origin === "https://api.example", maxRedirects: 2 }
interface Given {
  readonly status: number
  readonly location: string | undefined
  readonly method: string
  readonly carriedToken: boolean
  readonly finalUrl: string
  readonly replayable: boolean
  readonly hops: number
  readonly replayed: boolean
}
const answer = (overrides: Partial<Given> = {}): Outbound.Answer => {
  const given: Given = { status: 200, location: undefined, method: "GET", carriedToken: true, finalUrl: "", replayable: true, hops: 0, replayed: false, ...overrides }
  return {
    response: {
      status: given.status,
      headers: given.location === undefined ? {} : { location: given.location },
      request: { url: "https://api.example/things", method: given.method, headers: given.carriedToken ? { authorization: "Bearer a.b.c" } : {} }
    },
    finalUrl: given.finalUrl,
    replayable: given.replayable,
    hops: given.hops,
    replayed: given.replayed
  }
}

describe("Outbound.next: a 401", () => {
  it("to a request that carried the token asks for a renewal, once", () => {
    expect(Outbound.next(policy, answer({ status: 401 }))).toEqual({ _tag: "Renew" })
    expect(Outbound.next(policy, answer({ status: 401, replayed: true }))).toEqual({ _tag: "Return" })
  })

  it("is returned as it is without our token, with a stream body, or from another origin fetch was redirected to", () => {
    expect(Outbound.next(policy, answer({ status: 401, carriedToken: false }))._tag).toBe("Return")
    expect(Outbound.next(policy, answer({ status: 401, replayable: false }))._tag).toBe("Return")
    expect(Outbound.next(policy, answer({ status: 401, finalUrl: "https://login.example/" }))._tag).toBe("Return")
    expect(Outbound.next(policy, answer({ status: 401, finalUrl: "https://api.example/moved" }))._tag).toBe("Renew")
  })

  it("a 403 and other statuses are returned", () => {
    for (const status of [200, 403, 404, 500]) expect(Outbound.next(policy, answer({ status }))._tag).toBe("Return")
  })
})

describe("Outbound.next: a redirect", () => {
  it("is followed with the token only to an allowed origin, and only if the request carried it", () => {
    expect(Outbound.next(policy, answer({ status: 307, location: "/v2/things" }))).toEqual({
      _tag: "Follow",
      url: "https://api.example/v2/things",
      method: "GET",
      toGet: false,
      withToken: true
    })
    expect(Outbound.next(policy, answer({ status: 307, location: "https://other.example/" }))).toMatchObject({ withToken: false })
    expect(Outbound.next(policy, answer({ status: 307, location: "/v2", carriedToken: false }))).toMatchObject({ withToken: false })
  })

  it("turns into a GET as fetch does: a 303 but for HEAD, a POST's 301 or 302; a 307/308 keeps the method", () => {
    expect(Outbound.next(policy, answer({ status: 303, method: "PUT", location: "/a" }))).toMatchObject({ method: "GET", toGet: true })
    expect(Outbound.next(policy, answer({ status: 303, method: "HEAD", location: "/a" }))).toMatchObject({ method: "HEAD", toGet: false })
    expect(Outbound.next(policy, answer({ status: 302, method: "POST", location: "/a" }))).toMatchObject({ method: "GET", toGet: true })
    expect(Outbound.next(policy, answer({ status: 302, method: "PUT", location: "/a" }))).toMatchObject({ method: "PUT", toGet: false })
    expect(Outbound.next(policy, answer({ status: 308, method: "POST", location: "/a" }))).toMatchObject({ method: "POST", toGet: false })
  })

  it("is returned once the hops are used up, without a Location, or when not a redirect status", () => {
    expect(Outbound.next(policy, answer({ status: 302, location: "/a", hops: 2 }))._tag).toBe("Return")
    expect(Outbound.next({ ...policy, maxRedirects: 0 }, answer({ status: 302, location: "/a" }))._tag).toBe("Return")
    expect(Outbound.next(policy, answer({ status: 302 }))._tag).toBe("Return")
    expect(Outbound.next(policy, answer({ status: 304, location: "/a" }))._tag).toBe("Return")
  })

  it("is refused towards a Location that is not an http(s) URL", () => {
    expect(Outbound.next(policy, answer({ status: 302, location: "javascript:alert(1)" }))).toMatchObject({ _tag: "Refuse" })
    expect(Outbound.next(policy, answer({ status: 302, location: "http://[::1" }))).toMatchObject({ _tag: "Refuse" })
  })

  it("resolves a relative Location against where the answer came from, when fetch followed redirects before it", () => {
    expect(Outbound.next(policy, answer({ status: 302, location: "/b", finalUrl: "https://other.example/a" }))).toMatchObject({
      url: "https://other.example/b",
      withToken: false
    })
  })
})

describe("Outbound.droppedHeaders and watchRedirects", () => {
  it("a followed request never keeps Authorization; as a GET it also drops the body's headers", () => {
    expect(Outbound.droppedHeaders(false)).toEqual(["authorization"])
    // As fetch does when a 303 (or a POST's 301/302) turns into a GET: the body and its headers go (Fetch, "HTTP-redirect fetch").
    expect(Outbound.droppedHeaders(true)).toEqual(["authorization", "content-type", "content-length", "content-encoding", "content-language", "content-location"])
  })

  it("watchRedirects tells the URL fetch ended at after following redirects, and nothing when it followed none", async () => {
    const answers = [
      Object.defineProperties(new Response("x"), { redirected: { value: true }, url: { value: "https://b.example/z" } }),
      new Response("y")
    ]
    const watched = Outbound.watchRedirects(() => Promise.resolve(answers.shift()!))
    expect(watched.finalUrl()).toBe("")
    await watched.fetch("https://a.example/")
    expect(watched.finalUrl()).toBe("https://b.example/z")
    await watched.fetch("https://a.example/")
    expect(watched.finalUrl()).toBe("")
  })
})
