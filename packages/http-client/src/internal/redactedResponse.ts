/**
 * A response as it leaves the middleware: the same answer, but its `request`
 * carries `Authorization: <redacted>`, so printing the response, spreading it
 * or its request's headers, or a `ResponseError` made from it
 * (`filterStatusOk`), never shows the token. It is a view of the response's
 * documented members only: nothing on it leads back to the original.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as Inspectable from "effect/Inspectable"

/** What `HttpClientResponse` promises, but `request`: read from the answer when asked. */
const passedThrough = [
  "status",
  "headers",
  "cookies",
  "remoteAddress",
  "formData",
  "json",
  "text",
  "urlParamsBody",
  "arrayBuffer",
  "stream"
] as const satisfies ReadonlyArray<keyof HttpClientResponse.HttpClientResponse>

/** The response, with its request's `Authorization` redacted. */
export const redactRequest = (response: HttpClientResponse.HttpClientResponse): HttpClientResponse.HttpClientResponse => {
  let request: HttpClientRequest.HttpClientRequest | undefined
  const view: HttpClientResponse.HttpClientResponse = Object.create(null, {
    [HttpClientResponse.TypeId]: { value: HttpClientResponse.TypeId },
    [IncomingMessage.TypeId]: { value: IncomingMessage.TypeId },
    // Made on first use: most responses are never printed.
    request: { get: () => request ??= HttpClientRequest.setHeader(response.request, "authorization", "<redacted>") },
    ...Object.fromEntries(passedThrough.map((key) => [key, { get: () => response[key], enumerable: true }])),
    toJSON: {
      value: () => IncomingMessage.inspect(view, { _id: "@effect/platform/HttpClientResponse", request: view.request.toJSON(), status: view.status })
    },
    toString: { value: () => Inspectable.format(view.toJSON()) },
    [Inspectable.NodeInspectSymbol]: { value: () => view.toJSON() }
  })
  return view
}
