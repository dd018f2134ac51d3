/**
 * Where a token may go, pinned where a careless change would send it elsewhere: origins compared
 * whole (scheme, host, port), a base URL refused with any credential in it (a user name alone
 * too), only loopback taken over plain http, and redirects as `fetch` resolves them.
 */
import { Origins } from "@effect-texas/protocol"
import { describe, expect, it } from "vitest"

describe("Origins.originOf and describeOrigin", () => {
  it("an origin is scheme, host and port; the default port folds away, paths and queries do not count", () => {
    expect(Origins.originOf("https://api.example:443/x?y#z")).toBe("https://api.example")
    expect(Origins.originOf("https://api.example:8443/x")).toBe("https://api.example:8443")
    expect(Origins.originOf("http://API.example/")).toBe("http://api.example")
  })

  it("a relative, invalid or opaque URL has none, and says which it is", () => {
    expect(Origins.originOf("/relative")).toBeUndefined()
    expect(Origins.originOf("data:text/plain,hi")).toBeUndefined()
    expect(Origins.describeOrigin("/relative")).toBe("(relative URL)")
    expect(Origins.describeOrigin("data:text/plain,hi")).toBe("(opaque origin)")
    expect(Origins.describeOrigin("not a url")).toBe("(invalid URL)")
    expect(Origins.describeOrigin("https://api.example/x")).toBe("https://api.example")
  })
})

describe("Origins.allowList", () => {
  it("allows an allowed origin's URLs only: no other port, scheme or look-alike host", () => {
    const list = Origins.allowList(["https://api.example", "not a url"])
    expect(list.origins).toEqual(["https://api.example"])
    expect(list.allows("https://api.example/any/path?q")).toBe(true)
    for (const url of ["http://api.example/", "https://api.example:8443/", "https://api.example.evil.test/", "https://evil.test/?https://api.example", "/relative"]) {
      expect(list.allows(url), url).toBe(false)
    }
  })

  it("gives the same verdict when asked again, also past the number of URLs it remembers", () => {
    const list = Origins.allowList(["https://api.example"])
    for (let i = 0; i < 1100; i++) expect(list.allows(`https://api.example/${i}`)).toBe(true)
    for (let i = 0; i < 1100; i++) expect(list.allows(`https://other.example/${i}`)).toBe(false)
    expect(list.allows("https://api.example/0")).toBe(true)
  })
})

describe("Origins.checkBaseUrl (Altinn's platform URL)", () => {
  it("takes https, and http on loopback only, without the trailing slashes", () => {
    expect(Origins.checkBaseUrl("https://platform.tt02.altinn.no/")).toBe("https://platform.tt02.altinn.no")
    expect(Origins.checkBaseUrl("https://platform.example/base//")).toBe("https://platform.example/base")
    expect(Origins.checkBaseUrl("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080")
    expect(Origins.checkBaseUrl("http://localhost:8080/")).toBe("http://localhost:8080")
  })

  it("refuses any credential: user and password, a user name alone, a password alone; the refusal shows neither", () => {
    for (const text of ["https://someone:s3cret@platform.example", "https://someone@platform.example", "https://:s3cret@platform.example"]) {
      const refused = Origins.checkBaseUrl(text)
      expect(refused, text).toEqual({ reason: "`https://platform.example/` carries a user name or password; give them no URL" })
    }
  })

  it("refuses plain http off loopback, a query, a fragment, and what is no URL", () => {
    expect(Origins.checkBaseUrl("http://platform.example")).toEqual({ reason: "`http://platform.example/` must be an https URL (http only on loopback)" })
    expect(Origins.checkBaseUrl("https://platform.example/?x=1")).toEqual({ reason: "`https://platform.example/` must have no query or fragment" })
    expect(Origins.checkBaseUrl("https://platform.example/#top")).toEqual({ reason: "`https://platform.example/` must have no query or fragment" })
    expect(Origins.checkBaseUrl("platform.example")).toEqual({ reason: "is not an absolute URL" })
    expect(Origins.checkBaseUrl("ftp://127.0.0.1/")).toEqual({ reason: "`ftp://127.0.0.1/` must be an https URL (http only on loopback)" })
  })
})

describe("Origins.isLoopbackHost", () => {
  it("is localhost, 127.0.0.0/8 and ::1, nothing that merely contains them", () => {
    for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "127.10.200.30", "::1", "[::1]"]) expect(Origins.isLoopbackHost(host), host).toBe(true)
    for (const host of ["10.0.0.1", "127.0.0.1.evil.test", "evil127.0.0.1", "localhost.evil.test", "128.0.0.1", "1127.0.0.1"]) {
      expect(Origins.isLoopbackHost(host), host).toBe(false)
    }
  })
})

describe("Origins: redirects as fetch follows them", () => {
  it("redirect statuses are 301, 302, 303, 307 and 308", () => {
    expect([300, 301, 302, 303, 304, 305, 307, 308, 309].filter(Origins.isRedirect)).toEqual([301, 302, 303, 307, 308])
  })

  it("a 303 but for HEAD, and a POST's 301 or 302, become a GET; the rest keep their method", () => {
    expect(Origins.redirectsToGet(303, "PUT")).toBe(true)
    expect(Origins.redirectsToGet(303, "HEAD")).toBe(false)
    expect(Origins.redirectsToGet(301, "POST")).toBe(true)
    expect(Origins.redirectsToGet(302, "POST")).toBe(true)
    expect(Origins.redirectsToGet(302, "PUT")).toBe(false)
    expect(Origins.redirectsToGet(307, "POST")).toBe(false)
    expect(Origins.redirectsToGet(308, "POST")).toBe(false)
  })

  it("a Location resolves against the request's URL, its own query only; only http(s) is followed", () => {
    expect(Origins.redirectTarget("/b?x=1", "https://a.example/a?pid=1")).toBe("https://a.example/b?x=1")
    expect(Origins.redirectTarget("https://b.example/", "https://a.example/a")).toBe("https://b.example/")
    expect(Origins.redirectTarget("http://b.example/", "https://a.example/a")).toBe("http://b.example/")
    expect(Origins.redirectTarget("http://[::1", "https://a.example/")).toEqual({ reason: "its Location header is not a URL" })
    expect(Origins.redirectTarget("data:text/plain,hi", "https://a.example/")).toEqual({ reason: "its Location is a data: URL; only http and https are followed" })
    expect(Origins.redirectTarget("file:///etc/passwd", "https://a.example/")).toMatchObject({ reason: expect.stringContaining("file:") })
  })

  it("fetchWithoutRedirects asks for manual redirects and hands a 3xx back without its Location", async () => {
    const asked: Array<RequestInit | undefined> = []
    const outer = (_input: string | URL | Request, init?: RequestInit) => {
      asked.push(init)
      return Promise.resolve(new Response("moved", { status: 302, statusText: "Found", headers: { location: "https://elsewhere.example/", "content-length": "5", "x-kept": "1" } }))
    }
    const answer = await Origins.fetchWithoutRedirects(outer as typeof fetch)("https://a.example/", { method: "POST" })
    expect(asked[0]).toMatchObject({ method: "POST", redirect: "manual" })
    expect(answer.status).toBe(302)
    expect(answer.statusText).toBe("Found")
    expect(answer.headers.get("location")).toBeNull()
    expect(answer.headers.get("content-length")).toBeNull()
    expect(answer.headers.get("x-kept")).toBe("1")
    expect(await answer.text()).toBe("")
  })

  it("fetchWithoutRedirects strips the Location of any 3xx, 300 included", async () => {
    const answer = await Origins.fetchWithoutRedirects(() => Promise.resolve(new Response("x", { status: 300, headers: { location: "/x" } })))("https://a.example/")
    expect(answer.status).toBe(300)
    expect(answer.headers.get("location")).toBeNull()
  })

  it("fetchWithoutRedirects passes other answers, and a 3xx without Location, as they are", async () => {
    for (const [status, headers] of [[200, { location: "/x" }], [299, { location: "/x" }], [302, {}], [400, { location: "/x" }]] as const) {
      const original = new Response("body", { status, headers })
      const answer = await Origins.fetchWithoutRedirects(() => Promise.resolve(original))("https://a.example/")
      expect(answer, String(status)).toBe(original)
    }
  })
})
