/**
 * What the outbound middleware does with each answer, without Effect: return
 * it, replay the request once with a renewed token after a 401, follow a
 * redirect (with the token, without it, or as a GET), or refuse one. Both
 * lines' `authenticate` send what a step says and ask again with the answer.
 *
 * @since 0.2.0
 */
import * as Origins from "./Origins.js"

/**
 * How the middleware was set up: which origins may get the token, and how
 * many redirects it follows itself (`0`: the client underneath decides).
 *
 * @category Models
 * @since 0.2.0
 */
export interface Policy {
  readonly allows: (url: string) => boolean
  readonly maxRedirects: number
}

/**
 * A response as both lines' clients give it, as far as the middleware reads it.
 *
 * @category Models
 * @since 0.2.0
 */
export interface ResponseLike {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  /** The request as it was sent: its final URL (after the client's own mapping), method and headers. */
  readonly request: { readonly url: string; readonly method: string; readonly headers: Readonly<Record<string, string | undefined>> }
}

/**
 * One answer, and where the call stands.
 *
 * @category Models
 * @since 0.2.0
 */
export interface Answer {
  readonly response: ResponseLike
  /** The URL the answer came from, where the client tells (it differs when `fetch` followed redirects by itself); `""` when unknown. */
  readonly finalUrl: string
  /** Whether the caller's request body can go again (a stream cannot). */
  readonly replayable: boolean
  /** Redirects followed so far for this call. */
  readonly hops: number
  /** Whether this answer is already to a replay. */
  readonly replayed: boolean
}

/**
 * The `Authorization` header the request that got `response` carried (our token, when it did).
 *
 * @example
 * ```ts
 * import { Outbound } from "@effect-texas/protocol"
 *
 * const response = { status: 200, headers: {}, request: { url: "https://api.example/", method: "GET", headers: {} } }
 * console.log(Outbound.sentAuthorization(response)) // undefined
 * ```
 *
 * @category Decisions
 * @since 0.2.0
 */
export const sentAuthorization = (response: ResponseLike): string | undefined => response.request.headers["authorization"]

/**
 * What to do next.
 *
 * - `Return`: hand the answer to the caller.
 * - `Renew`: the API rejected our token (401): ask for a fresh one and, if
 *   it differs from the one sent, send the request once more.
 * - `Follow`: send to `url` with `method`; `toGet` drops the body and its
 *   headers; `withToken` says whether the token goes along.
 * - `Refuse`: a redirect that is not followed, and why.
 *
 * @category Models
 * @since 0.2.0
 */
export type Step =
  | { readonly _tag: "Return" }
  | { readonly _tag: "Renew" }
  | { readonly _tag: "Follow"; readonly url: string; readonly method: string; readonly toGet: boolean; readonly withToken: boolean }
  | { readonly _tag: "Refuse"; readonly reason: string }

const returnIt: Step = { _tag: "Return" }
const renew: Step = { _tag: "Renew" }

/**
 * Whether the client underneath followed a redirect to another origin before
 * this answer: `fetch` then dropped `Authorization` on the way, so a 401
 * from there says nothing about our token.
 *
 * @example
 * ```ts
 * import { Outbound } from "@effect-texas/protocol"
 *
 * console.log(Outbound.cameFromElsewhere("https://a.example/x", "https://b.example/y")) // true
 * console.log(Outbound.cameFromElsewhere("https://a.example/x", "")) // false
 * ```
 *
 * @category Decisions
 * @since 0.2.0
 */
export const cameFromElsewhere = (url: string, finalUrl: string): boolean =>
  finalUrl !== "" && Origins.originOf(finalUrl) !== Origins.originOf(url)

/**
 * The next step after an answer. A redirect is followed while hops remain
 * (the fetch standard's rules: `Location` as given, 303 and a POST's 301/302
 * become a GET), with the token only if the request carried it and the
 * target is allowed. A 401 to a request that carried the token, could be
 * sent again, came from where it was sent and is not a replay already asks
 * for a renewal. Anything else is returned.
 *
 * @example
 * ```ts
 * import { Outbound } from "@effect-texas/protocol"
 *
 * const policy = { allows: (url: string) => url.startsWith("https://api.example/"), maxRedirects: 1 }
 * const request = { url: "https://api.example/x", method: "GET", headers: { authorization: "Bearer a.b.c" } }
 * const answer = { response: { status: 401, headers: {}, request }, finalUrl: "", replayable: true, hops: 0, replayed: false }
 * console.log(Outbound.next(policy, answer)._tag) // Renew
 * console.log(Outbound.next(policy, { ...answer, replayed: true })._tag) // Return
 * const moved = { status: 302, headers: { location: "https://elsewhere.example/" }, request }
 * console.log(Outbound.next(policy, { ...answer, response: moved }))
 * // { _tag: "Follow", url: "https://elsewhere.example/", method: "GET", toGet: false, withToken: false }
 * ```
 *
 * @category Decisions
 * @since 0.2.0
 */
export const next = (policy: Policy, answer: Answer): Step => {
  const { request, status } = answer.response
  // Headers only when they matter: some clients build them anew on each read.
  const location = Origins.isRedirect(status) && answer.hops < policy.maxRedirects ? answer.response.headers["location"] : undefined
  if (location !== undefined) return follow(policy, answer, location)
  const rejected = status === 401 && sentAuthorization(answer.response) !== undefined && answer.replayable && !answer.replayed
  return rejected && !cameFromElsewhere(request.url, answer.finalUrl) ? renew : returnIt
}

const follow = (policy: Policy, answer: Answer, location: string): Step => {
  const { request, status } = answer.response
  const target = Origins.redirectTarget(location, answer.finalUrl !== "" ? answer.finalUrl : request.url)
  if (typeof target !== "string") return { _tag: "Refuse", reason: target.reason }
  const toGet = Origins.redirectsToGet(status, request.method)
  return {
    _tag: "Follow",
    url: target,
    method: toGet ? "GET" : request.method,
    toGet,
    withToken: sentAuthorization(answer.response) !== undefined && policy.allows(target)
  }
}

/**
 * Headers a followed request leaves behind: always `Authorization` (the
 * token is added again only on an allowed origin), and the body's headers
 * when it becomes a GET.
 *
 * @example
 * ```ts
 * import { Outbound } from "@effect-texas/protocol"
 *
 * console.log(Outbound.droppedHeaders(false)) // [ "authorization" ]
 * ```
 *
 * @category Decisions
 * @since 0.2.0
 */
export const droppedHeaders = (toGet: boolean): ReadonlyArray<string> => toGet ? droppedToGet : droppedKept

const droppedKept: ReadonlyArray<string> = ["authorization"]
const droppedToGet: ReadonlyArray<string> = ["authorization", ...Origins.contentHeaders]

/**
 * A `fetch` that remembers the URL of the last answer it gave when `fetch`
 * followed redirects to get it: the Effect 3 platform's response does not
 * say where it came from, so its middleware sends through this to know.
 *
 * @example
 * ```ts
 * import { Outbound } from "@effect-texas/protocol"
 *
 * const watched = Outbound.watchRedirects(globalThis.fetch)
 * // send with watched.fetch, then read watched.finalUrl() ("" when no redirect was followed)
 * ```
 *
 * @category Redirects
 * @since 0.2.0
 */
export const watchRedirects = (outer: typeof globalThis.fetch) => {
  let finalUrl = ""
  const fetch: typeof globalThis.fetch = (input, init) =>
    outer(input, init).then((response) => {
      finalUrl = response.redirected ? response.url : ""
      return response
    })
  return { fetch, finalUrl: (): string => finalUrl }
}
