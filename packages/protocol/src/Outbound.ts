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
 * One answer, and the request that got it.
 *
 * @category Models
 * @since 0.2.0
 */
export interface Answer {
  readonly status: number
  /** The answer's `Location` header, if any. */
  readonly location: string | undefined
  /** The URL the request was sent to. */
  readonly url: string
  readonly method: string
  /** The URL the answer came from, where the client tells (it differs when `fetch` followed redirects by itself); `""` when unknown. */
  readonly finalUrl: string
  /** Whether the request carried our token. */
  readonly carriedToken: boolean
  /** Whether its body can go again (a stream cannot). */
  readonly replayable: boolean
  /** Redirects followed so far for this call. */
  readonly hops: number
  /** Whether this answer is already to a replay. */
  readonly replayed: boolean
}

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
 * const answer = {
 *   status: 401, location: undefined, url: "https://api.example/x", method: "GET", finalUrl: "",
 *   carriedToken: true, replayable: true, hops: 0, replayed: false
 * }
 * console.log(Outbound.next(policy, answer)._tag) // Renew
 * console.log(Outbound.next(policy, { ...answer, replayed: true })._tag) // Return
 * console.log(Outbound.next(policy, { ...answer, status: 302, location: "https://elsewhere.example/" }))
 * // { _tag: "Follow", url: "https://elsewhere.example/", method: "GET", toGet: false, withToken: false }
 * ```
 *
 * @category Decisions
 * @since 0.2.0
 */
export const next = (policy: Policy, answer: Answer): Step => {
  if (answer.location !== undefined && Origins.isRedirect(answer.status) && answer.hops < policy.maxRedirects) {
    return follow(policy, answer, answer.location)
  }
  const rejected = answer.status === 401 && answer.carriedToken && answer.replayable && !answer.replayed
  return rejected && !cameFromElsewhere(answer.url, answer.finalUrl) ? renew : returnIt
}

const follow = (policy: Policy, answer: Answer, location: string): Step => {
  const target = Origins.redirectTarget(location, answer.finalUrl !== "" ? answer.finalUrl : answer.url)
  if (typeof target !== "string") return { _tag: "Refuse", reason: target.reason }
  const toGet = Origins.redirectsToGet(answer.status, answer.method)
  return {
    _tag: "Follow",
    url: target,
    method: toGet ? "GET" : answer.method,
    toGet,
    withToken: answer.carriedToken && policy.allows(target)
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
