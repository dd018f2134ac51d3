/**
 * A response as it leaves the middleware: the same answer, but its `request`
 * carries `Authorization: <redacted>`, so printing the response, or a
 * `ResponseError` made from it (`filterStatusOk`), never shows the token.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as Inspectable from "effect/Inspectable"

/** Reads a wrapper's response for the SDK's own use; set in the class's static block, reachable from no object. */
let originalOf: (response: ResponseWithRedactedRequest) => HttpClientResponse.HttpClientResponse

class ResponseWithRedactedRequest implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId = IncomingMessage.TypeId
  #request: HttpClientRequest.HttpClientRequest | undefined
  // Private, with no getter: no path leads from the response (or an error holding it) to the token.
  readonly #original: HttpClientResponse.HttpClientResponse
  static {
    originalOf = (response) => response.#original
  }
  constructor(original: HttpClientResponse.HttpClientResponse) {
    this.#original = original
  }

  /** Made on first use: most responses are never printed. */
  get request(): HttpClientRequest.HttpClientRequest {
    return this.#request ??= HttpClientRequest.setHeader(this.#original.request, "authorization", "<redacted>")
  }
  get status() {
    return this.#original.status
  }
  get headers() {
    return this.#original.headers
  }
  get cookies() {
    return this.#original.cookies
  }
  get remoteAddress() {
    return this.#original.remoteAddress
  }
  get formData() {
    return this.#original.formData
  }
  get json() {
    return this.#original.json
  }
  get text() {
    return this.#original.text
  }
  get urlParamsBody() {
    return this.#original.urlParamsBody
  }
  get arrayBuffer() {
    return this.#original.arrayBuffer
  }
  get stream() {
    return this.#original.stream
  }
  toJSON(): unknown {
    return IncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
  toString(): string {
    return Inspectable.format(this.toJSON())
  }
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/** The response, with its request's `Authorization` redacted. */
export const redactRequest = (response: HttpClientResponse.HttpClientResponse): HttpClientResponse.HttpClientResponse =>
  new ResponseWithRedactedRequest(response)

/** The response a redacted one stands for (the SDK's own reads only), or `response` itself. */
export const unredacted = (response: HttpClientResponse.HttpClientResponse): HttpClientResponse.HttpClientResponse =>
  response instanceof ResponseWithRedactedRequest ? originalOf(response) : response
