/**
 * The emulator's HTTP side: the sidecar's three POST endpoints and the JWKS,
 * scripted faults in front of them, the request log and the counters.
 */
import type * as Http from "node:http"
import { toMillis } from "../Duration.js"
import { type Fault, sidecarRetries } from "../Fault.js"
import type { RecordedRequest } from "../EmulatorLog.js"
import * as HttpIo from "./http.js"
import * as Protocol from "./protocol.js"
import { allProviders } from "./providers.js"
import {
  answerExchange,
  answerIntrospection,
  answerToken,
  redactUserToken,
  type SidecarContext,
  type TokenOutcome
} from "./sidecar.js"

export const tokenPath = "/api/v1/token"
export const exchangePath = "/api/v1/token/exchange"
export const introspectPath = "/api/v1/introspect"
export const jwksPath = "/jwks"

/** What the routes read and write besides the sidecar itself. */
export interface RouteContext {
  readonly sidecar: SidecarContext
  /** The next scripted or random fault, if any (taken, so counted once). */
  readonly nextFault: () => Fault | undefined
  /** Counts a request on arrival. */
  readonly arrived: (path: string) => void
  readonly faulted: () => void
  readonly record: (entry: RecordedRequest) => void
}

const sendError = (response: Http.ServerResponse, answer: Protocol.OAuthErrorAnswer, headers: Record<string, string> = {}) =>
  HttpIo.sendJson(response, answer.status, { error: answer.error, error_description: answer.description }, headers)

const delayMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** The sidecar's answer when the identity provider fails every attempt (the retry middleware's transient statuses). */
const providerFailure = (fault: Extract<Fault, { readonly _tag: "ProviderError" }>): Protocol.OAuthErrorAnswer =>
  fault.json
    ? { status: fault.status, error: fault.error ?? "temporarily_unavailable", description: fault.description ?? `emulated identity provider: status ${fault.status}` }
    : { status: 500, error: "server_error", description: "Failed to parse JSON: error decoding response body" }

/** Applies a fault; returns the answer it gave, or undefined to answer normally (after a delay). */
export const applyFault = async (fault: Fault, response: Http.ServerResponse, path: string): Promise<RecordedRequest["answer"] | undefined> => {
  // The identity provider is only called for tokens and exchanges; an introspection is answered as usual.
  if ((fault._tag === "SlowProvider" || fault._tag === "ProviderError") && path === introspectPath) return undefined
  switch (fault._tag) {
    case "SlowProvider": {
      const worst = sidecarRetries.attempts * sidecarRetries.attemptMillis
      const duration = toMillis(fault.duration)
      await delayMs(Math.min(duration, worst))
      if (duration <= worst) return undefined
      sendError(response, { status: 500, error: "server_error", description: "Upstream request failed: error sending request: operation timed out" })
      return 500
    }
    case "ProviderError": {
      const answer = providerFailure(fault)
      sendError(response, answer)
      return answer.status
    }
    case "Delay":
      await delayMs(toMillis(fault.delay))
      return undefined
    case "Drop":
      response.socket?.destroy()
      return "dropped"
    case "Status": {
      const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { "retry-after": String(fault.retryAfter) }
      const description = fault.description ?? `emulated fault: status ${fault.status}`
      sendError(response, { status: fault.status, error: fault.error ?? "server_error", description }, headers)
      return fault.status
    }
    case "NonJson":
      HttpIo.sendText(response, 200, "text/html", "<html><body><h1>Welcome to nginx!</h1></body></html>")
      return 200
    case "Truncated": {
      const full = JSON.stringify({ access_token: "truncated.truncated.truncated", expires_in: 3599, token_type: "Bearer" })
      response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(full) })
      response.write(full.slice(0, Math.floor(full.length / 2)), () => response.socket?.destroy())
      return "truncated"
    }
    case "Respond": {
      const text = typeof fault.body === "string" ? fault.body : JSON.stringify(fault.body)
      const contentType = typeof fault.body === "string" ? "text/plain" : "application/json"
      HttpIo.sendText(response, fault.status, contentType, text, { ...fault.headers })
      return fault.status
    }
  }
}

const specOf = (path: string): Protocol.StructSpec =>
  path === exchangePath ? Protocol.exchangeRequestSpec : path === introspectPath ? Protocol.introspectRequestSpec : Protocol.tokenRequestSpec

/** The decoded fields of a body (users' tokens redacted), for the log of an answer that did not decode it. */
const fieldsForLog = (read: HttpIo.ReadBody, contentType: string | undefined, path: string): Record<string, unknown> | undefined => {
  if (read._tag === "TooLarge") return undefined
  const decoded = Protocol.decodeBody(read.text, contentType, specOf(path))
  return decoded._tag === "Ok" ? redactUserToken(decoded.fields) : undefined
}

const sendOutcome = (response: Http.ServerResponse, outcome: TokenOutcome, nowMs: number): number => {
  if (outcome._tag === "Rejected") {
    sendError(response, outcome.answer)
    return outcome.answer.status
  }
  const expiresIn = Math.max(0, Math.floor((outcome.token.expiresAtMs - nowMs) / 1000))
  HttpIo.sendJson(response, 200, { access_token: outcome.token.accessToken, expires_in: expiresIn, token_type: "Bearer" })
  return 200
}

/** Answers one of the three POST endpoints from a decoded body; returns the status and the logged fields. */
const answerPost = async (
  context: RouteContext,
  path: string,
  text: string,
  contentType: string | undefined,
  response: Http.ServerResponse
): Promise<{ readonly status: number; readonly fields: Record<string, unknown> | undefined; readonly fromCache?: boolean }> => {
  const sidecar = context.sidecar
  if (path === introspectPath) {
    const { fields, outcome } = await answerIntrospection(sidecar, text, contentType)
    if (outcome._tag === "Rejected") {
      sendError(response, outcome.answer)
      return { status: outcome.answer.status, fields }
    }
    HttpIo.sendJson(response, 200, outcome.body)
    return { status: 200, fields }
  }
  const answered = path === exchangePath
    ? await answerExchange(sidecar, text, contentType)
    : await answerToken(sidecar, text, contentType)
  const fromCache = answered.outcome._tag === "Token" && answered.outcome.fromCache === true
  return { status: sendOutcome(response, answered.outcome, sidecar.now()), fields: answered.fields, fromCache }
}

const jwksFor = (context: RouteContext, path: string) => {
  if (path === jwksPath) return context.sidecar.keys.jwks
  const provider = allProviders.find((name) => path === `/${name}${jwksPath}`)
  return provider === undefined ? undefined : context.sidecar.keys.jwksOf(provider)
}

/** Handles one request: counts it, applies a fault if one is due, answers and logs it. */
export const handle = async (context: RouteContext, request: Http.IncomingMessage, response: Http.ServerResponse): Promise<void> => {
  const receivedAt = new Date(context.sidecar.now())
  const path = (request.url ?? "/").split("?")[0] ?? "/"
  const method = request.method ?? "GET"
  const contentType = HttpIo.header(request, "content-type")
  const traceparent = HttpIo.header(request, "traceparent")
  const read = await HttpIo.readBody(request, Protocol.bodyLimitBytes)
  context.arrived(path)
  const bodyBytes = read._tag === "Body"
    ? Buffer.byteLength(read.text)
    : Number(HttpIo.header(request, "content-length") ?? Protocol.bodyLimitBytes + 1)
  const save = (answer: RecordedRequest["answer"], fault: Fault["_tag"] | undefined, body: Record<string, unknown> | undefined, fromCache?: boolean) =>
    context.record({ method, path, contentType, body, bodyBytes, receivedAt, answer, fault, ...(fromCache === undefined ? {} : { fromCache }), ...(traceparent === undefined ? {} : { traceparent }) })

  const jwks = method === "GET" ? jwksFor(context, path) : undefined
  if (jwks !== undefined) {
    HttpIo.sendJson(response, 200, jwks)
    return save(200, undefined, undefined)
  }
  if (path !== tokenPath && path !== exchangePath && path !== introspectPath) {
    HttpIo.sendText(response, 404, "text/plain", "")
    return save(404, undefined, undefined)
  }
  if (method !== "POST") {
    HttpIo.sendText(response, 405, "text/plain", "", { allow: "POST" })
    return save(405, undefined, undefined)
  }
  const fault = context.nextFault()
  if (fault !== undefined) {
    context.faulted()
    const faulted = await applyFault(fault, response, path)
    if (faulted !== undefined) return save(faulted, fault._tag, fieldsForLog(read, contentType, path))
  }
  if (read._tag === "TooLarge") {
    sendError(response, Protocol.bodyTooLarge)
    return save(400, fault?._tag, undefined)
  }
  const { fields, status, fromCache } = await answerPost(context, path, read.text, contentType, response)
  save(status, fault?._tag, fields, path === introspectPath ? undefined : fromCache)
}

/** The 500 the emulator answers when it fails inside, as a server would. */
export const internalError = (response: Http.ServerResponse, error: unknown): void => {
  if (!response.headersSent) {
    sendError(response, { status: 500, error: "server_error", description: `emulator failure: ${String(error)}` })
  } else {
    response.destroy()
  }
}
