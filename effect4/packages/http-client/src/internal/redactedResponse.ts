/**
 * A response as it leaves the middleware: the same answer, but its `request`
 * carries `Authorization: <redacted>`, so printing the response, spreading it
 * or its request's headers, or a `ResponseError` made from it
 * (`filterStatusOk`), never shows the token.
 */
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"

/**
 * The response, with its request's `Authorization` redacted: the answer
 * itself is the prototype (status, headers, body as they are); the request is
 * an own, non-enumerable property made on first use.
 */
export const redactRequest = (response: HttpClientResponse.HttpClientResponse): HttpClientResponse.HttpClientResponse => {
  let request: HttpClientRequest.HttpClientRequest | undefined
  return Object.create(response, {
    request: {
      enumerable: false,
      get: () => request ??= HttpClientRequest.setHeader(response.request, "authorization", "<redacted>")
    }
  }) as HttpClientResponse.HttpClientResponse
}
