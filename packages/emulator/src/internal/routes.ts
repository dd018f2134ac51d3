/**
 * The emulator's HTTP side: the sidecar's three POST endpoints and the JWKS,
 * scripted faults in front of them, the request log and the counters.
 */
import type * as Http from "node:http"
import { toMillis } from "../Duration.js"
import { type Fault, sidecarRetries } from "../Fault.js"
import type { RecordedRequest, SeenToken } from "../EmulatorLog.js"
import * as HttpIo from "./http.js"
import * as Protocol from "./protocol.js"
import { allProviders } from "./providers.js"
import { seen } from "./seen.js"
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

/** The OAuth error a fault's answer names, for the log. */
const faultError = (fault: Fault): string | undefined => {
  switch (fault._tag) {
    case "Status":
      return fault.error ?? "server_error"
    case "ProviderError":
      return providerFailure(fault).error
    case "SlowProvider":
      return "server_error"
    default:
      return undefined
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

/** What the log keeps of an answered POST, besides the request itself. */
interface PostRecord {
  readonly status: number
  readonly fields: Record<string, unknown> | undefined
  readonly fromCache?: boolean
  readonly error?: string | undefined
  readonly tokens: ReadonlyArray<SeenToken>
}

const presentedToken = (token: string | undefined): ReadonlyArray<SeenToken> => (token === undefined ? [] : [seen("presented", token)])

/** Answers one of the three POST endpoints from a decoded body; returns what the log keeps of it. */
const answerPost = async (
  context: RouteContext,
  path: string,
  text: string,
  contentType: string | undefined,
  response: Http.ServerResponse
): Promise<PostRecord> => {
  const sidecar = context.sidecar
  if (path === introspectPath) {
    const { fields, outcome, presented } = await answerIntrospection(sidecar, text, contentType)
    const tokens = presentedToken(presented)
    if (outcome._tag === "Rejected") {
      sendError(response, outcome.answer)
      return { status: outcome.answer.status, fields, error: outcome.answer.error, tokens }
    }
    HttpIo.sendJson(response, 200, outcome.body)
    const reason = outcome.body["error"]
    return { status: 200, fields, error: typeof reason === "string" ? reason : undefined, tokens }
  }
  const answered = path === exchangePath
    ? await answerExchange(sidecar, text, contentType)
    : await answerToken(sidecar, text, contentType)
  const outcome = answered.outcome
  const status = sendOutcome(response, outcome, sidecar.now())
  const tokens = presentedToken(answered.presented)
  if (outcome._tag === "Rejected") return { status, fields: answered.fields, error: outcome.answer.error, tokens }
  return { status, fields: answered.fields, fromCache: outcome.fromCache === true, tokens: [...tokens, seen("issued", outcome.token.accessToken)] }
}

const jwksFor = (context: RouteContext, path: string) => {
  if (path === jwksPath) return context.sidecar.keys.jwks
  const provider = allProviders.find((name) => path === `/${name}${jwksPath}`)
  return provider === undefined ? undefined : context.sidecar.keys.jwksOf(provider)
}

/** Handles one request: counts it, applies a fault if one is due, answers and logs it. */
export const handle = async (context: RouteContext, request: Http.IncomingMessage, response: Http.ServerResponse): Promise<void> => {
  const receivedAt = new Date(context.sidecar.now())
  const started = performance.now()
  const path = (request.url ?? "/").split("?")[0] ?? "/"
  const method = request.method ?? "GET"
  const contentType = HttpIo.header(request, "content-type")
  const traceparent = HttpIo.header(request, "traceparent")
  const read = await HttpIo.readBody(request, Protocol.bodyLimitBytes)
  context.arrived(path)
  const bodyBytes = read._tag === "Body"
    ? Buffer.byteLength(read.text)
    : Number(HttpIo.header(request, "content-length") ?? Protocol.bodyLimitBytes + 1)
  const save = (answer: RecordedRequest["answer"], fault: Fault["_tag"] | undefined, body: Record<string, unknown> | undefined, more: Partial<PostRecord> = {}) =>
    context.record({
      method,
      path,
      contentType,
      body,
      bodyBytes,
      receivedAt,
      answer,
      fault,
      ...(more.fromCache === undefined ? {} : { fromCache: more.fromCache }),
      ...(traceparent === undefined ? {} : { traceparent }),
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
      ...(more.error === undefined ? {} : { error: more.error }),
      ...(more.tokens === undefined || more.tokens.length === 0 ? {} : { tokens: more.tokens })
    })

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
    if (faulted !== undefined) return save(faulted, fault._tag, fieldsForLog(read, contentType, path), { error: faultError(fault) })
  }
  if (read._tag === "TooLarge") {
    sendError(response, Protocol.bodyTooLarge)
    return save(400, fault?._tag, undefined)
  }
  const posted = await answerPost(context, path, read.text, contentType, response)
  save(posted.status, fault?._tag, posted.fields, posted)
}

/** The 500 the emulator answers when it fails inside, as a server would. */
export const internalError = (response: Http.ServerResponse, error: unknown): void => {
  if (!response.headersSent) {
    sendError(response, { status: 500, error: "server_error", description: `emulator failure: ${String(error)}` })
  } else {
    response.destroy()
  }
}
