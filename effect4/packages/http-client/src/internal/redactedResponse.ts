/**
 * A response as it leaves the middleware: the same answer, but its `request`
 * carries `Authorization: <redacted>`, so printing the response, spreading it
 * or its request's headers, or a `ResponseError` made from it
 * (`filterStatusOk`), never shows the token. It offers the response's
 * documented members only; the original is a private field, reachable from
 * nothing on it.
 */
import * as Inspectable from "effect/Inspectable"
import * as Pipeable from "effect/Pipeable"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as IncomingMessage from "effect/http/HttpIncomingMessage"

/** What `HttpClientResponse` promises, but `request`: read from the answer when asked. */
const passedThrough = [
  "url",
  "status",
  "headers",
  "cookies",
  "remoteAddress",
  "formData",
  "json",
  "text",
  "urlParamsBody",
  "arrayBuffer",
  "stream",
  "upgrade"
] as const satisfies ReadonlyArray<keyof HttpClientResponse.HttpClientResponse>

let answerOf: (view: RedactedResponse) => HttpClientResponse.HttpClientResponse

class RedactedResponse {
  readonly [HttpClientResponse.TypeId] = HttpClientResponse.TypeId
  readonly [IncomingMessage.TypeId] = IncomingMessage.TypeId
  readonly #answer: HttpClientResponse.HttpClientResponse
  #request: HttpClientRequest.HttpClientRequest | undefined
  static {
    answerOf = (view) => view.#answer
  }
  constructor(answer: HttpClientResponse.HttpClientResponse) {
    this.#answer = answer
  }
  /** Made on first use: most responses are never printed. */
  get request(): HttpClientRequest.HttpClientRequest {
    return this.#request ??= HttpClientRequest.setHeader(this.#answer.request, "authorization", "<redacted>")
  }
  toJSON(): unknown {
    return IncomingMessage.inspect(this as unknown as HttpClientResponse.HttpClientResponse, {
      _id: "HttpClientResponse",
      request: this.request.toJSON(),
      status: this.#answer.status
    })
  }
  toString(): string {
    return Inspectable.BaseProto.toString.call(this)
  }
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return Pipeable.pipeArguments(this, arguments)
  }
}
for (const key of passedThrough) {
  Object.defineProperty(RedactedResponse.prototype, key, { get: function(this: RedactedResponse) { return answerOf(this)[key] }, enumerable: true })
}

/** The response, with its request's `Authorization` redacted. */
export const redactRequest = (response: HttpClientResponse.HttpClientResponse): HttpClientResponse.HttpClientResponse =>
  new RedactedResponse(response) as unknown as HttpClientResponse.HttpClientResponse
