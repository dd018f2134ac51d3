/**
 * The emulator's own routes for local development, under `/emulator` on its port: the page
 * (`GET /emulator`), what it shows (`GET /emulator/api/state`), minting a user's token
 * (`POST /emulator/api/tokens`) and the fault controls (`POST /emulator/api/faults`).
 *
 * Safe by default: they answer only requests addressed to a loopback name from a loopback
 * address (also when the emulator was told to listen beyond loopback); nothing changes through
 * `GET`; a state-changing route takes only `application/json` (which no HTML form can send, and
 * which a cross-site script can send only after a CORS preflight that nothing here grants), and
 * refuses a request whose `Origin` or `Sec-Fetch-Site` says it came from another site.
 */
import type * as Http from "node:http"
import type { Fault as FaultType } from "../Fault.js"
import * as Fault from "../Fault.js"
import type { TexasEmulatorHandle } from "../TexasEmulator.js"
import * as HttpIo from "./http.js"
import { readMintRequest } from "./mint.js"
import { pageHtml, pageScript, pageStyle } from "./page.js"
import { allProviders } from "./providers.js"
import { seen } from "./seen.js"
import type { SidecarContext } from "./sidecar.js"
import type { State } from "./emulator.js"

export const devPath = "/emulator"

/** Whether a path is one of the development routes. */
export const isDevPath = (path: string): boolean => path === devPath || path.startsWith(`${devPath}/`)

/** What the development routes read and act on. */
export interface DevContext {
  readonly state: State
  readonly sidecar: SidecarContext
  readonly handle: TexasEmulatorHandle
  readonly entraIdApplications: ReadonlyArray<string> | undefined
}

/** The most log entries one state answer carries (the page asks again for the rest). */
const pageSize = 200

const securityHeaders = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}

const json = (response: Http.ServerResponse, status: number, body: unknown) => HttpIo.sendJson(response, status, body, securityHeaders)
const refuse = (response: Http.ServerResponse, status: number, description: string) =>
  json(response, status, { error: status === 400 ? "invalid_request" : "refused", error_description: description })

/** Why a request may not reach a development route, or undefined: loopback name and address, always. */
const notLocal = (request: Http.IncomingMessage): string | undefined => {
  const host = request.headers.host
  if (host === undefined || !HttpIo.isLoopback(HttpIo.hostName(host))) return "the emulator's development routes answer requests to loopback hosts only"
  const remote = (request.socket.remoteAddress ?? "").replace(/^::ffff:/, "")
  return HttpIo.isLoopback(remote) ? undefined : "the emulator's development routes answer loopback clients only"
}

/** Why a state-changing request is refused as possibly cross-site, or undefined. */
export const crossSite = (request: Http.IncomingMessage): { readonly status: number; readonly reason: string } | undefined => {
  const type = (HttpIo.header(request, "content-type") ?? "").split(";")[0]!.trim().toLowerCase()
  if (type !== "application/json") return { status: 415, reason: "send the request as application/json" }
  const origin = HttpIo.header(request, "origin")
  if (origin !== undefined && origin !== `http://${request.headers.host}`) return { status: 403, reason: `a request from ${origin} may not change the emulator` }
  const site = HttpIo.header(request, "sec-fetch-site")
  if (site !== undefined && site !== "same-origin" && site !== "none") return { status: 403, reason: "a cross-site request may not change the emulator" }
  return undefined
}

const readJson = async (request: Http.IncomingMessage): Promise<{ readonly ok: true; readonly value: unknown } | { readonly ok: false }> => {
  const read = await HttpIo.readBody(request, 64 * 1024)
  if (read._tag === "TooLarge") return { ok: false }
  try {
    return { ok: true, value: JSON.parse(read.text) as unknown }
  } catch {
    return { ok: false }
  }
}

/** What the page shows: the emulator's set-up, its counters and the log after `after`. */
const stateAnswer = (context: DevContext, after: number) => {
  const { sidecar, state } = context
  const all = state.log.all()
  const first = state.recorded - all.length
  const from = Math.max(0, after - first)
  return {
    emulator: {
      url: context.handle.url,
      providers: allProviders.map((provider) => ({ provider, enabled: sidecar.isEnabled(provider), issuer: sidecar.identity(provider).issuer, clientId: sidecar.identity(provider).clientId })),
      grants: state.granted === undefined ? null : [...state.granted],
      entraIdApplications: context.entraIdApplications ?? null,
      organisationNumber: sidecar.organisationNumber,
      tokenLifetimeSeconds: Math.round(sidecar.lifetimeMs / 1000)
    },
    counters: state.counters,
    pendingFaults: state.faults.map((fault) => fault._tag),
    next: first + Math.min(all.length, from + pageSize),
    entries: all.slice(from, from + pageSize).map((entry, index) => ({ seq: first + from + index, ...entry }))
  }
}

const whole = (value: unknown, lowest: number, highest: number): number | undefined =>
  typeof value === "number" && Number.isInteger(value) && value >= lowest && value <= highest ? value : undefined

/** Reads a fault control: the faults to queue, a restart, or clearing the queue. */
const readFault = (body: unknown): { readonly faults: ReadonlyArray<FaultType> } | { readonly restartSeconds: number } | { readonly clear: true } | { readonly reason: string } => {
  const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>
  const times = fields["times"] === undefined ? 1 : whole(fields["times"], 1, 100)
  if (times === undefined) return { reason: "times must be a whole number from 1 to 100" }
  switch (fields["fault"]) {
    case "status": {
      const status = whole(fields["status"] ?? 503, 400, 599)
      return status === undefined ? { reason: "status must be a status from 400 to 599" } : { faults: Array.from({ length: times }, () => Fault.status(status)) }
    }
    case "slow": {
      const seconds = whole(fields["seconds"], 1, 60)
      return seconds === undefined ? { reason: "seconds must be a whole number from 1 to 60" } : { faults: Array.from({ length: times }, () => Fault.slowProvider(seconds * 1000)) }
    }
    case "restart": {
      const seconds = whole(fields["seconds"] ?? 1, 0, 60)
      return seconds === undefined ? { reason: "seconds must be a whole number from 0 to 60" } : { restartSeconds: seconds }
    }
    case "clear":
      return { clear: true }
    default:
      return { reason: "fault must be one of status, slow, restart, clear" }
  }
}

const mint = async (context: DevContext, body: unknown, response: Http.ServerResponse) => {
  const read = readMintRequest(body)
  if (!read.ok) return refuse(response, 400, read.reason)
  const token = await context.handle.issueUserToken(read.value)
  // The log's own view of a token (fingerprint and decoded claims), beside the token the caller asked for.
  const { claims = {}, fingerprint } = seen("issued", token)
  json(response, 200, { token, fingerprint, claims, expires_in: Number(claims["exp"]) - Number(claims["iat"]) })
}

const fault = (context: DevContext, body: unknown, response: Http.ServerResponse) => {
  const read = readFault(body)
  if ("reason" in read) return refuse(response, 400, read.reason)
  if ("clear" in read) context.state.faults.length = 0
  if ("faults" in read) for (const next of read.faults) context.handle.inject(next)
  if ("restartSeconds" in read) {
    // Answer first: the restart closes this port, and this connection with it.
    response.once("finish", () => void context.handle.restart(read.restartSeconds * 1000))
    return json(response, 202, { restarting: read.restartSeconds, pendingFaults: context.state.faults.map((queued) => queued._tag) })
  }
  json(response, 200, { pendingFaults: context.state.faults.map((queued) => queued._tag) })
}

const assets: Record<string, { readonly type: string; readonly text: () => string }> = {
  [devPath]: { type: "text/html; charset=utf-8", text: pageHtml },
  [`${devPath}/`]: { type: "text/html; charset=utf-8", text: pageHtml },
  [`${devPath}/page.js`]: { type: "text/javascript; charset=utf-8", text: pageScript },
  [`${devPath}/page.css`]: { type: "text/css; charset=utf-8", text: pageStyle }
}

const posts: Record<string, (context: DevContext, body: unknown, response: Http.ServerResponse) => unknown> = {
  [`${devPath}/api/tokens`]: mint,
  [`${devPath}/api/faults`]: fault
}

/** Answers a development route (not logged nor counted: it is not the application's request). */
export const handleDev = async (context: DevContext, request: Http.IncomingMessage, response: Http.ServerResponse): Promise<void> => {
  const url = new URL(request.url ?? "/", "http://emulator")
  const method = request.method ?? "GET"
  const local = notLocal(request)
  if (local !== undefined) return refuse(response, 421, local)
  const asset = assets[url.pathname]
  const isState = url.pathname === `${devPath}/api/state`
  const post = posts[url.pathname]
  if (asset === undefined && !isState && post === undefined) return refuse(response, 404, "no such page")
  if (post === undefined ? method !== "GET" && method !== "HEAD" : method !== "POST") {
    return HttpIo.sendText(response, 405, "text/plain; charset=utf-8", "", { ...securityHeaders, allow: post === undefined ? "GET, HEAD" : "POST" })
  }
  if (asset !== undefined) return HttpIo.sendText(response, 200, asset.type, asset.text(), securityHeaders)
  if (isState) return json(response, 200, stateAnswer(context, Math.max(0, Number(url.searchParams.get("after") ?? 0) || 0)))
  const refused = crossSite(request)
  if (refused !== undefined) return refuse(response, refused.status, refused.reason)
  const body = await readJson(request)
  if (!body.ok) return refuse(response, 400, "the body must be JSON of at most 64 KiB")
  await post!(context, body.value, response)
}
