/**
 * Where a token may go, without Effect: origins as the browser defines them,
 * the allow-list check (remembered per URL), and what a redirect turns a
 * request into (the fetch standard's rules). Both lines' middleware use it.
 *
 * @since 0.1.0
 */

/**
 * The origin of a URL (scheme, host, port), or undefined for a relative,
 * invalid or opaque one (`data:`, `file:`), which never matches.
 *
 * @example
 * ```ts
 * import { Origins } from "@effect-texas/protocol"
 *
 * console.log(Origins.originOf("https://api.example.com:443/x?y")) // https://api.example.com
 * ```
 *
 * @category Origins
 * @since 0.1.0
 */
export const originOf = (url: string): string | undefined => {
  if (!URL.canParse(url)) return undefined
  const origin = new URL(url).origin
  return origin === "null" ? undefined : origin
}

/**
 * How an error names the origin of a refused URL (never its path or query).
 *
 * @example
 * ```ts
 * import { Origins } from "@effect-texas/protocol"
 *
 * console.log(Origins.describeOrigin("/relative")) // (relative URL)
 * ```
 *
 * @category Origins
 * @since 0.1.0
 */
export const describeOrigin = (url: string): string =>
  originOf(url) ?? (URL.canParse(url) ? "(opaque origin)" : url.startsWith("/") ? "(relative URL)" : "(invalid URL)")

/** How many URL verdicts a check remembers. */
const maxRememberedUrls = 1024

/**
 * An allow-list of origins: `allows(url)` parses a URL once and remembers the
 * verdict (bounded), as clients call the same few URLs again and again.
 *
 * @example
 * ```ts
 * import { Origins } from "@effect-texas/protocol"
 *
 * const check = Origins.allowList(["https://api.example.com"])
 * console.log(check.allows("https://api.example.com/x"), check.allows("https://api.example.com.evil.test/")) // true false
 * ```
 *
 * @category Origins
 * @since 0.1.0
 */
export const allowList = (origins: ReadonlyArray<string>) => {
  const allowed = new Set<string>()
  for (const origin of origins) {
    const parsed = originOf(origin)
    if (parsed !== undefined) allowed.add(parsed)
  }
  const verdicts = new Map<string, boolean>()
  return {
    /** The allowed origins, normalised. */
    origins: [...allowed] as ReadonlyArray<string>,
    allows: (url: string): boolean => {
      const known = verdicts.get(url)
      if (known !== undefined) return known
      const origin = originOf(url)
      const verdict = origin !== undefined && allowed.has(origin)
      if (verdicts.size >= maxRememberedUrls) verdicts.clear()
      verdicts.set(url, verdict)
      return verdict
    }
  }
}

/**
 * Whether a status is a redirect that `Location` applies to.
 *
 * @example
 * ```ts
 * import { Origins } from "@effect-texas/protocol"
 *
 * console.log(Origins.isRedirect(307), Origins.isRedirect(304)) // true false
 * ```
 *
 * @category Redirects
 * @since 0.1.0
 */
export const isRedirect = (status: number): boolean =>
  status === 301 || status === 302 || status === 303 || status === 307 || status === 308

/**
 * Headers that describe a body: they go with it when a redirect turns the request into a GET.
 *
 * @example
 * ```ts
 * import { Origins } from "@effect-texas/protocol"
 *
 * const kept = (name: string) => !Origins.contentHeaders.includes(name.toLowerCase())
 * ```
 *
 * @category Redirects
 * @since 0.1.0
 */
export const contentHeaders: ReadonlyArray<string> = ["content-type", "content-length", "content-encoding", "content-language", "content-location"]

/**
 * Whether a redirect turns the request into a GET without body, as the fetch
 * standard says: a 303 (but for HEAD), or a 301/302 after a POST.
 *
 * @example
 * ```ts
 * import { Origins } from "@effect-texas/protocol"
 *
 * console.log(Origins.redirectsToGet(302, "POST"), Origins.redirectsToGet(307, "POST")) // true false
 * ```
 *
 * @category Redirects
 * @since 0.1.0
 */
export const redirectsToGet = (status: number, method: string): boolean =>
  (status === 303 && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")

/**
 * Where a redirect leads, as `fetch` resolves it: `Location` against the
 * request's URL, taken as given (its own query, nothing of the request's
 * added), or why it is not followed: only http(s) URLs are.
 *
 * @example
 * ```ts
 * import { Origins } from "@effect-texas/protocol"
 *
 * console.log(Origins.redirectTarget("/b?x=1", "https://a.example/a?pid=1")) // https://a.example/b?x=1
 * console.log(Origins.redirectTarget("data:text/plain,hi", "https://a.example/")) // { reason: ... }
 * ```
 *
 * @category Redirects
 * @since 0.1.0
 */
export const redirectTarget = (location: string, requestUrl: string): string | { readonly reason: string } => {
  if (!URL.canParse(location, requestUrl)) return { reason: "its Location header is not a URL" }
  const target = new URL(location, requestUrl)
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    return { reason: `its Location is a ${target.protocol} URL; only http and https are followed` }
  }
  return target.href
}

/**
 * A `fetch` that never follows a redirect, whatever the client around it
 * does: it asks with `redirect: "manual"` and hands back a 3xx answer
 * without its `Location`, so a client that follows redirects by itself
 * (`HttpClient.followRedirects`) has nowhere to go. The SDK's own calls (the
 * sidecar, the Altinn exchange) go through it, so a token sent there never
 * leaves for another URL.
 *
 * @example
 * ```ts
 * import { Origins } from "@effect-texas/protocol"
 *
 * const fetchHere = Origins.fetchWithoutRedirects(globalThis.fetch)
 * ```
 *
 * @category Redirects
 * @since 0.1.0
 */
export const fetchWithoutRedirects = (outer: typeof globalThis.fetch): typeof globalThis.fetch =>
  async (input, init) => {
    const response = await outer(input, { ...init, redirect: "manual" })
    if (response.status < 300 || response.status >= 400 || !response.headers.has("location")) return response
    const headers = new Headers(response.headers)
    headers.delete("location")
    headers.delete("content-length")
    await response.body?.cancel()
    return new Response("", { status: response.status, statusText: response.statusText, headers })
  }

/**
 * Whether a host name is this machine's loopback (`localhost`, `127.0.0.0/8`,
 * `::1`): the only place plain http and the emulator are allowed.
 *
 * @example
 * ```ts
 * import { Origins } from "@effect-texas/protocol"
 *
 * console.log(Origins.isLoopbackHost("127.0.0.1"), Origins.isLoopbackHost("10.0.0.1")) // true false
 * ```
 *
 * @category Origins
 * @since 0.1.0
 */
export const isLoopbackHost = (host: string): boolean =>
  host === "localhost" || host === "::1" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host)

/**
 * A base URL that a token is sent to (Altinn's platform URL), as the SDK
 * takes it: https (http only on loopback, as for the emulator), no user name
 * or password, no query or fragment (they would swallow the path appended to
 * it). Returns it without a trailing slash, or why not, naming the URL
 * without any credentials it carried.
 *
 * @example
 * ```ts
 * import { Origins } from "@effect-texas/protocol"
 *
 * console.log(Origins.checkBaseUrl("https://platform.tt02.altinn.no/")) // https://platform.tt02.altinn.no
 * console.log(Origins.checkBaseUrl("http://platform.example")) // { reason: ... }
 * ```
 *
 * @category Origins
 * @since 0.1.0
 */
export const checkBaseUrl = (text: string): string | { readonly reason: string } => {
  if (!URL.canParse(text)) return { reason: "is not an absolute URL" }
  const url = new URL(text)
  const shown = `${url.protocol}//${url.host}${url.pathname}`
  if (url.username !== "" || url.password !== "") return { reason: `\`${shown}\` carries a user name or password; give them no URL` }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    return { reason: `\`${shown}\` must be an https URL (http only on loopback)` }
  }
  if (url.search !== "" || url.hash !== "") return { reason: `\`${shown}\` must have no query or fragment` }
  return shown.replace(/\/+$/, "")
}
