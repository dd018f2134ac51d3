/**
 * Small helpers over `node:http` shared by the emulator and the protected API.
 *
 * Both servers use `node:http` directly rather than `@effect/platform`'s
 * `HttpServer` because the emulator must be able to misbehave at the socket
 * level (drop a connection, send half a body), which a higher-level server
 * rightly does not allow.
 */
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

/** The body of a request, or the fact that it went over `limit` bytes. */
export type ReadBody = { readonly _tag: "Body"; readonly text: string } | { readonly _tag: "TooLarge" }

/** Buffers a request body up to `limit` bytes; past that it drains and discards the rest. */
export const readBody = (request: Http.IncomingMessage, limit: number): Promise<ReadBody> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    let tooLarge = false
    request.on("data", (chunk: Buffer) => {
      if (tooLarge) return
      size += chunk.length
      if (size > limit) {
        tooLarge = true
        chunks.length = 0
        return
      }
      chunks.push(chunk)
    })
    request.on("end", () =>
      resolve(tooLarge ? { _tag: "TooLarge" } : { _tag: "Body", text: Buffer.concat(chunks).toString("utf8") })
    )
    request.on("error", reject)
  })

/** Writes a complete JSON answer. */
export const sendJson = (
  response: Http.ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {}
): void => {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text)
  })
  response.end(text)
}

/** Writes a complete answer with a body given as text. */
export const sendText = (
  response: Http.ServerResponse,
  status: number,
  contentType: string,
  text: string,
  headers: Readonly<Record<string, string>> = {}
): void => {
  response.writeHead(status, { ...headers, "content-type": contentType, "content-length": Buffer.byteLength(text) })
  response.end(text)
}

/** Whether `host` (an address to bind, or a `Host` header's name) is a loopback name: `localhost`, `127.0.0.0/8`, `::1`. */
export const isLoopback = (host: string): boolean =>
  /^localhost$/i.test(host) || host === "::1" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host)

/** The name in a `Host` header, without its port (`[::1]:8080` is `[::1]`). */
export const hostName = (header: string): string => (header.startsWith("[") ? header.slice(0, header.indexOf("]") + 1) : header.split(":")[0]!)

/**
 * A request listener that answers only requests addressed to a loopback name. A web page can
 * rebind a name of its own to 127.0.0.1 and so reach a server on loopback from a browser; its
 * requests still carry that name as `Host`, and get `421 Misdirected Request` here. With
 * `allowNonLoopback` (the server was told to listen beyond loopback) every host is answered.
 */
export const loopbackOnly = (allowNonLoopback: boolean, listener: Http.RequestListener): Http.RequestListener =>
  allowNonLoopback ? listener : (request, response) => {
    const host = request.headers.host
    if (host !== undefined && isLoopback(hostName(host))) return listener(request, response)
    sendText(response, 421, "text/plain; charset=utf-8", "This emulator answers requests to loopback hosts only (localhost, 127.0.0.0/8, [::1]); start it with --allow-non-loopback to answer others.\n")
  }

/** Starts listening and resolves with the bound port. */
export const listen = (server: Http.Server, port: number, host: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once("error", onError)
    server.listen(port, host, () => {
      server.off("error", onError)
      resolve((server.address() as AddressInfo).port)
    })
  })

/** Stops a server, closing idle and active keep-alive connections so `close` does not wait for them. */
export const close = (server: Http.Server): Promise<void> =>
  new Promise((resolve) => {
    if (!server.listening) return resolve()
    server.close(() => resolve())
    server.closeAllConnections()
  })

/**
 * A server bound to one port that can stop listening for a while, as a
 * sidecar that is (re)starting: connections are refused, then served again
 * on the same port.
 */
export interface Listener {
  readonly port: number
  /** Closes the port now (resolving once it is closed) and opens it again after `millis`. */
  readonly refuseFor: (millis: number) => Promise<void>
  readonly close: () => Promise<void>
}

/** Listens on `port` (0: a free one); with `refuseMillis`, closes again at once and opens after that long. */
export const listener = async (server: Http.Server, port: number, host: string, refuseMillis = 0): Promise<Listener> => {
  const bound = await listen(server, port, host)
  let reopen: ReturnType<typeof setTimeout> | undefined
  let closed = false
  const refuseFor = async (millis: number) => {
    clearTimeout(reopen)
    await close(server)
    reopen = setTimeout(() => {
      if (!closed) listen(server, bound, host).catch(() => undefined)
    }, millis)
  }
  if (refuseMillis > 0) await refuseFor(refuseMillis)
  return {
    port: bound,
    refuseFor,
    close: () => {
      closed = true
      clearTimeout(reopen)
      return close(server)
    }
  }
}

/** The sidecar's probe listener (nais/texas `src/http/router.rs`, `probe`): `GET /` and `/healthz` answer `200 ok`. */
export const probeServer = (allowNonLoopback = false): Http.Server =>
  Http.createServer(loopbackOnly(allowNonLoopback, (request, response) => {
    const path = (request.url ?? "/").split("?")[0]
    if (request.method === "GET" && (path === "/" || path === "/healthz")) return sendText(response, 200, "text/plain; charset=utf-8", "ok")
    response.writeHead(path === "/" || path === "/healthz" ? 405 : 404, path === "/" || path === "/healthz" ? { allow: "GET,HEAD" } : {})
    response.end()
  }))

/** The base URL for a host and port, with IPv6 literals bracketed. */
export const baseUrl = (host: string, port: number): string =>
  `http://${host.includes(":") ? `[${host}]` : host}:${port}`

/** A header as one string (the first value when repeated). */
export const header = (request: Http.IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}
