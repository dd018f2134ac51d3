/**
 * What the behaviour suite asks of a line of the SDK: one driver per line
 * (`behaviour/drivers/effect3.ts`, `effect4/behaviour/driver.ts`), each a thin
 * translation of these calls into that line's public API. The suite is
 * written once against this interface and run by both lines' test runners,
 * over real loopback HTTP against the shared emulator. Nothing here knows
 * Effect: results come back as plain data.
 */
import type { Plan } from "@effect-texas/doctor"
import type { RunCommand } from "./command.js"

/** A token as a test sees it: the string, and the object the line handed out (for `renew`). */
export interface TokenView {
  readonly token: string
  /** Always "Bearer", whatever case the sidecar wrote. */
  readonly tokenType: string
  readonly expiresAtMillis: number
  readonly raw: unknown
}

/** A typed failure: its tag, its message, and its own enumerable fields. */
export interface ErrorView {
  readonly _tag: string
  readonly message: string
  readonly fields: Readonly<Record<string, unknown>>
  /** The tags found below it through `reason` and `cause` (a platform error wrapping the SDK's). */
  readonly causes: ReadonlyArray<string>
  /** Every way a user might print it (`String`, `JSON.stringify`, `inspect`, spread). */
  readonly printed: ReadonlyArray<string>
}

/** How a call ended: a value, a typed failure, or a defect (always a bug). */
export type Outcome<A> =
  | { readonly _tag: "Success"; readonly value: A }
  | { readonly _tag: "Failure"; readonly error: ErrorView }
  | { readonly _tag: "Defect"; readonly message: string }
  | { readonly _tag: "Interrupted" }

/**
 * A call, to run as it is or step by step: a step is one operation of the
 * call's own fiber (each line counts them with a tracer, whose `context` the
 * run loop calls for every operation), so "every step" provably covers every
 * point at which the caller could be interrupted or another caller arrive.
 */
export interface Call<A> {
  readonly run: () => Promise<Outcome<A>>
  /** Interrupts the call before its `step`-th step: whether it got that far (else it finished first). */
  readonly runInterruptedAt: (step: number) => Promise<"interrupted" | "finished">
  /** Starts the same call again before the first's `step`-th step: whether it got that far, and both outcomes. */
  readonly runJoinedAt: (step: number) => Promise<{ readonly reached: boolean; readonly outcomes: readonly [Outcome<A>, Outcome<A>] }>
}

export interface TokenRequestView {
  readonly identityProvider: string
  readonly target: string | ReadonlyArray<string>
  readonly resource?: string | undefined
  readonly authorizationDetails?: ReadonlyArray<Record<string, unknown>> | undefined
  readonly skipCache?: boolean | undefined
}

export interface ExchangeRequestView {
  readonly identityProvider: "tokenx" | "entra_id" | "azuread"
  readonly target: string
  readonly userToken: string
  readonly skipCache?: boolean | undefined
}

/** What `AltinnToken.token` is asked for (a bare string: those scopes). */
export type AltinnRequestView = string | {
  readonly scopes: string | ReadonlyArray<string>
  readonly authorizationDetails?: ReadonlyArray<Record<string, unknown>>
  readonly skipCache?: boolean
}

export interface IntrospectionView {
  readonly active: boolean
  readonly claims: Readonly<Record<string, unknown>>
}

/** Where an authenticated client gets its token. */
export type ClientSpec =
  | { readonly kind: "machine"; readonly request: TokenRequestView; readonly allowedOrigins: ReadonlyArray<string>; readonly followRedirects?: number }
  | { readonly kind: "onBehalfOf"; readonly identityProvider: "tokenx" | "entra_id"; readonly target: string; readonly allowedOrigins: ReadonlyArray<string> }
  | {
    readonly kind: "altinn"
    readonly scopes: string
    readonly authorizationDetails?: ReadonlyArray<Record<string, unknown>>
    readonly allowedOrigins: ReadonlyArray<string>
  }
  /** `AuthenticatedClient.layer` under a key of the test's own: `send` takes paths under `baseUrl`. */
  | { readonly kind: "ready"; readonly baseUrl: string; readonly request: TokenRequestView; readonly allowedOrigins?: ReadonlyArray<string> }
  /** `AuthenticatedClient.transformClient(tokens, ...)` applied to the application's client, as `HttpApiClient` does. */
  | { readonly kind: "transformed"; readonly request: TokenRequestView; readonly allowedOrigins: ReadonlyArray<string> }

/** One request through an authenticated client. */
export interface SendOptions {
  readonly method?: "GET" | "POST"
  /** URL parameters set on the request (`setUrlParams`), as `HttpApiClient` does. */
  readonly urlParams?: Readonly<Record<string, string>>
  /** The user on whose behalf (`onBehalfOf` clients): their token. */
  readonly userToken?: string
  /** Wrap the client in `HttpClient.filterStatusOk`: a non-2xx answer is a `ResponseError`. */
  readonly filterStatusOk?: boolean
  /** Headers set on the request before it reaches the middleware. */
  readonly headers?: Readonly<Record<string, string>>
  /** A body: text (can be sent again), a one-shot stream of the text, or JSON. */
  readonly body?: { readonly kind: "text" | "stream"; readonly text: string } | { readonly kind: "json"; readonly value: unknown }
  /** Read the answer as JSON into `ResponseView.json`. */
  readonly readJson?: boolean
}

export interface ResponseView {
  readonly status: number
  /** The answer's JSON, when `readJson` asked for it. */
  readonly json?: unknown
  /** Every way a user might print the response and its request. */
  readonly printed: ReadonlyArray<string>
}

export interface AuthenticatedClient {
  readonly send: (url: string, options?: SendOptions) => Promise<Outcome<ResponseView>>
}

export interface ServicesOptions {
  readonly texasUrl: string
  /** Also an `AltinnToken` against this platform URL. */
  readonly altinnPlatformUrl?: string | undefined
  /** `AltinnToken`'s `test` (the test department, `?test=true`). */
  readonly altinnTest?: boolean | undefined
  readonly minRenewInterval?: string | undefined
  readonly expirySkew?: string | undefined
  /** `TokenService`'s body encoding. */
  readonly encoding?: "json" | "form" | undefined
  /** `TokenService`'s `refreshAhead`. */
  readonly refreshAhead?: string | undefined
  /** `TokenService`'s and `TokenExchange`'s `maxEntries`. */
  readonly maxEntries?: number | undefined
  /** `TokenIntrospection`'s verdict cache. */
  readonly introspectionCache?: false | { readonly maxAge: string } | undefined
  readonly attemptTimeout?: string | undefined
  readonly timeout?: string | undefined
  /** Quick retries (10 ms apart, at most 3) unless false. */
  readonly quickRetries?: boolean | undefined
  /** Keep every span a `run` makes, for `Services.spans` (off by default: a long run would hold them all). */
  readonly recordSpans?: boolean | undefined
  /** The application's HttpClient follows redirects by itself (`HttpClient.followRedirects`). */
  readonly appFollowsRedirects?: boolean | undefined
}

/** Which inbound middleware a server uses: `requireUser` on a router, or `Authentication` on an `HttpApi`. */
export type InboundKind = "requireUser" | "Authentication"

/**
 * A server on loopback whose `GET /me` (`requireUser`) or `GET /api/me`
 * (`Authentication`) answers 200 with `{ sub, identityProvider }` of the
 * `CurrentUser`; a `require` that cannot be a policy makes `requireUser`
 * answer 500 with `{ error: "InvalidPolicy" }`.
 */
export interface InboundServer {
  readonly url: string
  readonly close: () => Promise<void>
}

/** The SDK's services of one line, built for one test and closed after it. */
export interface Services {
  readonly token: (request: TokenRequestView) => Call<TokenView>
  readonly renew: (request: TokenRequestView, rejected: TokenView) => Call<TokenView>
  readonly invalidate: (request: TokenRequestView) => Call<void>
  readonly exchange: (request: ExchangeRequestView) => Call<TokenView>
  readonly renewExchange: (request: ExchangeRequestView, rejected: TokenView) => Call<TokenView>
  readonly introspect: (identityProvider: string, token: string) => Call<IntrospectionView>
  /** Undefined without `altinnPlatformUrl`. */
  readonly altinnToken: ((request: AltinnRequestView) => Call<TokenView>) | undefined
  /**
   * Serves `kind` with `options` (`{ identityProvider, require }`, passed on as
   * they are, also when the types would refuse them), introspecting with these
   * services: the server, or the typed error its layer failed with.
   */
  readonly serve: (kind: InboundKind, options: Readonly<Record<string, unknown>>) => Promise<Outcome<InboundServer>>
  /** A client built now, as a handler builds one per request. */
  readonly client: (spec: ClientSpec) => AuthenticatedClient
  /** What the line's cache gauges say now: tokens held (`TokenService`) and active verdicts held (`TokenIntrospection`). */
  readonly cacheSizes: () => Promise<{ readonly tokens: number; readonly verdicts: number }>
  /** The spans every `run` of these services made so far, with their attributes as they ended (with `recordSpans` only). */
  readonly spans: () => ReadonlyArray<SpanView>
  readonly close: () => Promise<void>
}

/** A span as the line's tracer saw it. */
export interface SpanView {
  readonly name: string
  readonly attributes: Readonly<Record<string, unknown>>
}

/** What the doctor found, as both lines report it (`@effect-texas/doctor`'s `Report`). */
export type DoctorReport = Plan.Report

/** How the doctor reads a manifest and where it runs: template variables, the cluster. */
export interface DoctorOptions {
  readonly variables?: Readonly<Record<string, unknown>> | undefined
  readonly cluster?: string | undefined
}

export interface Driver {
  readonly line: "effect3" | "effect4"
  /** The services, or the typed error their layers failed with (a bad setting). */
  readonly services: (options: ServicesOptions) => Promise<Outcome<Services>>
  /** `systemUser(options)`: the authorization detail, or the typed error. */
  readonly systemUser: (options: { readonly organization: string; readonly systemUserId?: string; readonly systemId?: string }) => Promise<Outcome<Readonly<Record<string, unknown>>>>
  /** The line's `Doctor`: `verify` on a manifest's text (or plain scopes), `layerStartupCheck` built once, `render`. */
  readonly doctor: {
    readonly verify: (manifest: string | ReadonlyArray<string>, env: Readonly<Record<string, string>>, options?: DoctorOptions) => Promise<Outcome<DoctorReport>>
    readonly startupCheck: (manifestPath: string, failOnProblems: boolean, options?: DoctorOptions) => Promise<Outcome<void>>
    readonly render: (report: DoctorReport) => string
  }
  /**
   * The line's `effect-texas` command: its source and the tsconfig that maps the packages to their
   * sources (to run it as a process), and `run`, the same command in-process (`Cli.main` with this
   * line's `verify`, output captured).
   */
  readonly doctorCommand: { readonly bin: string; readonly tsconfig: string; readonly run: RunCommand }
  /** A program as the guides end theirs (`layerConfig()`, a token, `NodeRuntime.runMain`), to run as a process with `doctorCommand.tsconfig`. */
  readonly mainProgram: string
  /** Builds `TokenService.layerConfig()` reading only `variables`: nothing, or the typed error the layer failed with. */
  readonly tokenServiceFromConfig: (variables: Readonly<Record<string, string>>) => Promise<Outcome<void>>
}
