/**
 * What the behaviour cases share: the emulator and its helpers, a line's
 * services built per case, and a small recording server for redirect cases.
 */
import { driver } from "#driver"
import type { TexasEmulatorHandle } from "@effect-texas/emulator"
import * as Http from "node:http"
import type * as D from "./Driver.js"

export { driver }

/** The line's services for `emulator`, failing the case if their layers fail. */
export const servicesFor = async (
  emulator: TexasEmulatorHandle,
  options: Omit<D.ServicesOptions, "texasUrl"> = {}
): Promise<D.Services> => {
  const built = await driver.services({ texasUrl: emulator.url, ...options })
  if (built._tag !== "Success") throw new Error(`the services did not build: ${JSON.stringify(built)}`)
  return built.value
}

/** The value of a successful outcome; anything else fails the case with what it was. */
export const success = <A>(outcome: D.Outcome<A>): A => {
  if (outcome._tag !== "Success") throw new Error(`expected a success, got ${JSON.stringify(outcome)}`)
  return outcome.value
}

/** The typed error of a failed outcome; anything else fails the case. */
export const failure = <A>(outcome: D.Outcome<A>): D.ErrorView => {
  if (outcome._tag !== "Failure") throw new Error(`expected a typed failure, got ${JSON.stringify(outcome)}`)
  return outcome.error
}

/** Settles within `millis` or fails the case with `what`: a hang is a finding, not a time-out of the runner. */
export const within = <A>(millis: number, what: string, promise: Promise<A>): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${millis} ms (hung)`)), millis)
    promise.then((value) => {
      clearTimeout(timer)
      resolve(value)
    }, (error: unknown) => {
      clearTimeout(timer)
      reject(error instanceof Error ? error : new Error(String(error)))
    })
  })

/** Requests the emulator received at `path`, and those of them that asked past its cache. */
export const sidecarRequests = (emulator: TexasEmulatorHandle, path: string) => {
  const all = emulator.requests().filter((request) => request.path === path)
  return { all: all.length, forced: all.filter((request) => request.body?.["skip_cache"] === true).length }
}

/** A server on loopback that records each request's URL and answers with `answer`. */
export const startRecorder = async (
  answer: (url: URL, response: Http.ServerResponse) => void = (_url, response) => response.end("{}")
) => {
  const seen: Array<{ readonly url: string; readonly authorization: string | undefined }> = []
  const server = Http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://recorder.invalid")
    seen.push({ url: `${url.pathname}${url.search}`, authorization: request.headers.authorization })
    answer(url, response)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as { readonly port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    seen: () => [...seen],
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
