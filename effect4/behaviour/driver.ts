/**
 * The behaviour suite's driver for the Effect 4 line (`@effect-texas/*@1`):
 * each call of `Driver` in the line's public API, run in a `ManagedRuntime`.
 * The cases themselves live in `../../behaviour/` and are the same for both lines.
 */
import {
  type AccessToken,
  CurrentUser,
  type ExchangeRequest,
  type TokenError,
  TokenExchange,
  TokenIntrospection,
  TokenMetrics,
  type TokenRequest,
  TokenService
} from "@effect-texas/core"
import { AltinnToken, authenticateAltinn, systemUser } from "@effect-texas/altinn"
import { Doctor, Manifest } from "@effect-texas/cli"
import { commandRunner } from "../../behaviour/command.js"
import { authenticate, AuthenticatedClient, authenticateOnBehalfOf } from "@effect-texas/http-client"
import { type AccessOptions, Authentication, requireUser } from "@effect-texas/http-server"
import { NodeHttpServer } from "@effect/platform-node"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServer from "effect/http/HttpServer"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import { createServer } from "node:http"
import { fileURLToPath } from "node:url"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Metric from "effect/Metric"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import type * as D from "../../behaviour/Driver.js"
import { errorView, printedForms, stepCounter } from "../../behaviour/printed.js"

// ---- Outcomes ----------------------------------------------------------------

const outcomeOf = <A, B>(exit: Exit.Exit<A, unknown>, view: (value: A) => B): D.Outcome<B> => {
  if (Exit.isSuccess(exit)) return { _tag: "Success", value: view(exit.value) }
  const failure = exit.cause.reasons.find(Cause.isFailReason)
  if (failure !== undefined) return { _tag: "Failure", error: errorView(failure.error) }
  if (Cause.hasInterruptsOnly(exit.cause)) return { _tag: "Interrupted" }
  return { _tag: "Defect", message: Cause.pretty(exit.cause) }
}

const tokenView = (token: AccessToken): D.TokenView => ({
  token: Redacted.value(token.accessToken),
  tokenType: token.tokenType,
  expiresAtMillis: DateTime.toEpochMillis(token.expiresAt),
  raw: token
})

// ---- Stepping ----------------------------------------------------------------

/** What the run loop calls to evaluate a primitive when no tracer steps in. */
const evaluate = "~effect/Effect/evaluate"

/** A tracer that shows `counter` every primitive a fiber evaluates (its `context`); spans go to `base`. */
const stepTracer = (base: Tracer.Tracer, step: number, atStep: (fiber: Fiber.Fiber<unknown, unknown>) => void) => {
  const counter = stepCounter(step, atStep)
  const tracer = Tracer.make({
    span: (options) => base.span(options),
    context: (primitive, fiber) => {
      counter.count(fiber)
      if (base.context !== undefined) return base.context(primitive, fiber)
      return (primitive as unknown as Record<string, (fiber: Fiber.Fiber<unknown, unknown>) => never>)[evaluate]!(fiber)
    }
  })
  return { tracer, state: counter.state }
}

/** A tracer that keeps every span it starts (through `base`) in `recorded`. */
const recordingTracer = (base: Tracer.Tracer, recorded: Array<Tracer.Span>) =>
  Tracer.make({
    span: (options) => {
      const span = base.span(options)
      recorded.push(span)
      return span
    },
    ...(base.context === undefined ? {} : { context: base.context })
  })

// ---- Inbound -----------------------------------------------------------------

const whoAmI = Effect.map(Effect.service(CurrentUser), (user) => ({ sub: typeof user.claims.sub === "string" ? user.claims.sub : null }))

/** `requireUser` on a route: `/me`, with an unusable policy answered 500 and named. */
const inboundRoutes = (options: AccessOptions) =>
  HttpRouter.add(
    "GET",
    "/me",
    Effect.flatMap(whoAmI, (body) => HttpServerResponse.json(body)).pipe(
      requireUser(options),
      Effect.catchTag("InvalidPolicy", (error) => HttpServerResponse.json({ error: error._tag }, { status: 500 }))
    )
  )

const InboundApi = HttpApi.make("inbound").add(
  HttpApiGroup.make("me")
    .add(HttpApiEndpoint.get("me", "/api/me", { success: Schema.Struct({ sub: Schema.NullOr(Schema.String) }) }))
    .middleware(Authentication)
)

/** `Authentication` on an `HttpApi`: `/api/me`; an unusable policy fails the layer. */
const inboundApi = (options: AccessOptions) =>
  HttpApiBuilder.layer(InboundApi).pipe(
    Layer.provide(HttpApiBuilder.group(InboundApi, "me", (handlers) => handlers.handle("me", () => whoAmI))),
    Layer.provide(Authentication.layer(options))
  )

const serveInbound = async (
  runtime: ManagedRuntime.ManagedRuntime<TokenIntrospection, unknown>,
  kind: D.InboundKind,
  options: AccessOptions
): Promise<D.Outcome<D.InboundServer>> => {
  const scope = runtime.runSync(Scope.make())
  const app = kind === "requireUser" ? inboundRoutes(options) : inboundApi(options)
  const served = HttpRouter.serve(app as Layer.Layer<never, unknown, TokenIntrospection>, { disableLogger: true, disableListenLog: true }).pipe(
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
  )
  const built = await runtime.runPromiseExit(Layer.buildWithScope(served, scope))
  if (Exit.isFailure(built)) {
    await runtime.runPromise(Scope.close(scope, Exit.void))
    return outcomeOf(built, (): D.InboundServer => {
      throw new Error("unreachable")
    })
  }
  const address = Context.get(built.value, HttpServer.HttpServer).address
  const port = "port" in address ? address.port : 0
  return {
    _tag: "Success",
    value: { url: `http://127.0.0.1:${port}`, close: () => runtime.runPromise(Scope.close(scope, Exit.void)) }
  }
}

// ---- Services ----------------------------------------------------------------

/** The request a test sends: method, URL parameters, headers and body as it asks. */
const requestOf = (url: string, options: D.SendOptions): HttpClientRequest.HttpClientRequest => {
  let request = options.method === "POST" ? HttpClientRequest.post(url) : HttpClientRequest.get(url)
  if (options.urlParams !== undefined) request = HttpClientRequest.setUrlParams(request, options.urlParams)
  if (options.headers !== undefined) request = HttpClientRequest.setHeaders(request, options.headers)
  const body = options.body
  if (body === undefined) return request
  if (body.kind === "json") return HttpClientRequest.bodyJsonUnsafe(request, body.value)
  if (body.kind === "text") return HttpClientRequest.bodyText(request, body.text)
  return HttpClientRequest.bodyStream(request, Stream.make(new TextEncoder().encode(body.text)))
}

/** The key a test's ready client is provided under, as an application names its API. */
class ReadyApi extends Context.Service<ReadyApi, AuthenticatedClient.AuthenticatedHttpClient>()("behaviour/ReadyApi") {}

type Context = TokenService | TokenExchange | TokenIntrospection | AltinnToken | HttpClient.HttpClient

const makeServices = async (options: D.ServicesOptions): Promise<D.Outcome<D.Services>> => {
  const endpoint = (path: string) => `${options.texasUrl}${path}`
  const shared: {
    readonly retrySchedule?: Schedule.Schedule<unknown, TokenError>
    readonly attemptTimeout?: Duration.Input
    readonly timeout?: Duration.Input
    readonly expirySkew?: Duration.Input
    readonly minRenewInterval?: Duration.Input
  } = {
    ...(options.quickRetries === false ? {} : { retrySchedule: Schedule.max([Schedule.spaced("10 millis"), Schedule.recurs(3)]) }),
    ...(options.attemptTimeout === undefined ? {} : { attemptTimeout: options.attemptTimeout as Duration.Input }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout as Duration.Input }),
    ...(options.expirySkew === undefined ? {} : { expirySkew: options.expirySkew as Duration.Input }),
    ...(options.minRenewInterval === undefined ? {} : { minRenewInterval: options.minRenewInterval as Duration.Input })
  }
  const client = options.appFollowsRedirects === true
    ? Layer.effect(HttpClient.HttpClient, Effect.map(HttpClient.HttpClient, (client) => HttpClient.followRedirects(client, 5))).pipe(
      Layer.provide(FetchHttpClient.layer)
    )
    : FetchHttpClient.layer
  const tokens = TokenService.layer({
    endpoint: endpoint("/api/v1/token"),
    ...shared,
    ...(options.encoding === undefined ? {} : { encoding: options.encoding }),
    ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }),
    ...(options.refreshAhead === undefined ? {} : { refreshAhead: options.refreshAhead as Duration.Input })
  })
  const altinn = options.altinnPlatformUrl === undefined
    ? Layer.empty
    : AltinnToken.layer({ platformUrl: options.altinnPlatformUrl, ...shared, ...(options.altinnTest === undefined ? {} : { test: options.altinnTest }) }).pipe(Layer.provide(tokens))
  const layer = Layer.mergeAll(
    tokens,
    TokenExchange.layer({
      endpoint: endpoint("/api/v1/token/exchange"),
      ...shared,
      ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries })
    }),
    TokenIntrospection.layer({
      endpoint: endpoint("/api/v1/introspect"),
      ...(options.introspectionCache === undefined ? {} : { cache: options.introspectionCache === false ? false : { maxAge: options.introspectionCache.maxAge as Duration.Input } })
    }),
    altinn
  ).pipe(Layer.provideMerge(client))
  const runtime = ManagedRuntime.make(layer as Layer.Layer<Context, unknown>)
  const built = await Effect.runPromiseExit(runtime.contextEffect)
  if (Exit.isFailure(built)) {
    await runtime.dispose()
    return outcomeOf(built, (): D.Services => {
      throw new Error("unreachable")
    })
  }

  const recorded: Array<Tracer.Span> = []
  const call = <A, B>(effect: Effect.Effect<A, unknown, Context>, view: (value: A) => B): D.Call<B> => ({
    run: () =>
      runtime.runPromiseExit(options.recordSpans === true ? Effect.flatMap(Effect.tracer, (base) => Effect.withTracer(effect, recordingTracer(base, recorded))) : effect)
        .then((exit) => outcomeOf(exit, view)),
    runInterruptedAt: async (step) => {
      let reached = { reached: false }
      await runtime.runPromiseExit(Effect.flatMap(Effect.tracer, (base) => {
        const stepped = stepTracer(base, step, (fiber) => fiber.interruptUnsafe())
        reached = stepped.state
        return Effect.withTracer(effect, stepped.tracer)
      }))
      return reached.reached ? "interrupted" : "finished"
    },
    runJoinedAt: async (step) => {
      let second: Fiber.Fiber<A, unknown> | undefined
      const first = await runtime.runPromiseExit(Effect.flatMap(Effect.tracer, (base) =>
        Effect.withTracer(
          effect,
          stepTracer(base, step, () => {
            // Started right there (runFork evaluates at once), before the first caller's next step.
            second = runtime.runFork(effect)
          }).tracer
        )))
      const reached = second !== undefined
      const other = second === undefined ? await runtime.runPromiseExit(effect) : await runtime.runPromise(Fiber.await(second))
      return { reached, outcomes: [outcomeOf(first, view), outcomeOf(other, view)] as const }
    }
  })

  const tokenRequest = (request: D.TokenRequestView) => request as TokenRequest
  const exchangeRequest = (request: D.ExchangeRequestView): ExchangeRequest => ({
    identityProvider: request.identityProvider,
    target: request.target,
    userToken: Redacted.make(request.userToken),
    skipCache: request.skipCache
  })
  /** The user a request is made for (a machine client reads none). */
  const asUser = (userToken: string | undefined) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.provideService(effect, CurrentUser, { token: Redacted.make(userToken ?? ""), claims: {} })

  type Send = (request: HttpClientRequest.HttpClientRequest, filterStatusOk: boolean) => Effect.Effect<HttpClientResponse.HttpClientResponse, unknown, Context | CurrentUser>
  const sender = <E, R extends Context | CurrentUser>(client: HttpClient.HttpClient.With<E, R>): Send => (request, filterStatusOk) =>
    (filterStatusOk ? HttpClient.filterStatusOk(client) : client).execute(request)
  const authenticated = (spec: D.ClientSpec, base: HttpClient.HttpClient): Send => {
    switch (spec.kind) {
      case "machine":
        return sender(base.pipe(authenticate({ ...tokenRequest(spec.request), allowedOrigins: spec.allowedOrigins, followRedirects: spec.followRedirects })))
      case "onBehalfOf":
        return sender(base.pipe(authenticateOnBehalfOf({ identityProvider: spec.identityProvider, target: spec.target, allowedOrigins: spec.allowedOrigins })))
      case "altinn":
        return sender(base.pipe(authenticateAltinn({ scopes: spec.scopes, authorizationDetails: spec.authorizationDetails, allowedOrigins: spec.allowedOrigins })))
      case "ready": {
        const layer = AuthenticatedClient.layer(ReadyApi, { ...tokenRequest(spec.request), baseUrl: spec.baseUrl, allowedOrigins: spec.allowedOrigins })
        return sender(runtime.runSync(Effect.provide(Effect.service(ReadyApi), layer)))
      }
      case "transformed":
        return sender(AuthenticatedClient.transformClient(runtime.runSync(Effect.service(TokenService)), {
          ...tokenRequest(spec.request),
          allowedOrigins: spec.allowedOrigins
        })(base))
    }
  }

  const services: D.Services = {
    token: (request) => call(TokenService.use((s) => s.token(tokenRequest(request))), tokenView),
    renew: (request, rejected) => call(TokenService.use((s) => s.renew(tokenRequest(request), rejected.raw as AccessToken)), tokenView),
    invalidate: (request) => call(TokenService.use((s) => s.invalidate(tokenRequest(request))), () => undefined),
    exchange: (request) => call(TokenExchange.use((s) => s.exchange(exchangeRequest(request))), tokenView),
    renewExchange: (request, rejected) =>
      call(TokenExchange.use((s) => s.renew(exchangeRequest(request), rejected.raw as AccessToken)), tokenView),
    introspect: (identityProvider, token) =>
      call(
        TokenIntrospection.use((s) => s.introspect({ identityProvider: identityProvider as "tokenx", token: Redacted.make(token) })),
        (result) => (result._tag === "Active" ? { active: true, claims: { ...result.claims } } : { active: false, claims: {} })
      ),
    altinnToken: options.altinnPlatformUrl === undefined
      ? undefined
      : (request) => call(AltinnToken.use((s) => s.token(typeof request === "string" ? { scopes: request } : request)), tokenView),
    client: (spec) => {
      const send = authenticated(spec, runtime.runSync(Effect.service(HttpClient.HttpClient)))
      return {
        send: (url, sendOptions = {}) => {
          const effect = send(requestOf(url, sendOptions), sendOptions.filterStatusOk === true).pipe(
            Effect.flatMap((response) =>
              Effect.map(sendOptions.readJson === true ? response.json : Effect.succeed(undefined), (json): D.ResponseView => ({
                status: response.status,
                printed: printedForms(response),
                ...(json === undefined ? {} : { json })
              }))),
            asUser(sendOptions.userToken)
          )
          return runtime.runPromiseExit(effect).then((exit) => outcomeOf(exit, (view) => view))
        }
      }
    },
    serve: (kind, options) => serveInbound(runtime, kind, options as unknown as AccessOptions),
    spans: () => recorded.map((span) => ({ name: span.name, attributes: Object.fromEntries(span.attributes) })),
    cacheSizes: () =>
      runtime.runPromise(Effect.all([Metric.value(TokenMetrics.cacheEntries), Metric.value(TokenMetrics.verdictCacheEntries)]))
        .then(([tokens, verdicts]) => ({ tokens: tokens.value, verdicts: verdicts.value })),
    close: () => runtime.dispose()
  }
  return { _tag: "Success", value: services }
}

const tokenServiceFromConfig = (variables: Readonly<Record<string, string>>): Promise<D.Outcome<void>> =>
  Effect.runPromiseExit(
    Layer.build(TokenService.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))).pipe(
      Effect.scoped,
      Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(variables)))
    )
  ).then((exit) => outcomeOf(exit, () => undefined))

const systemUserOf: D.Driver["systemUser"] = (options) =>
  Effect.runPromiseExit(Effect.gen(function*() {
    return yield* systemUser(options)
  })).then((exit) => outcomeOf(exit, (detail): Readonly<Record<string, unknown>> => detail))

// What the line's bin.ts hands to the shared command.
const commandVerify = (manifest: Manifest.Manifest, options: Doctor.VerifyOptions) =>
  Effect.runPromise(Doctor.verify(manifest, options).pipe(Effect.provide(FetchHttpClient.layer)))

const doctor: D.Driver["doctor"] = {
  verify: (manifest, env, options = {}) => {
    const read: Effect.Effect<Manifest.Manifest | ReadonlyArray<string>, Manifest.ManifestError> = typeof manifest === "string"
      ? Manifest.parse(manifest, "the manifest", { variables: options.variables })
      : Effect.succeed(manifest)
    const report = Effect.flatMap(read, (read) => Doctor.verify(read, { env, cluster: options.cluster })).pipe(Effect.provide(FetchHttpClient.layer))
    return Effect.runPromiseExit(report).then((exit) => outcomeOf(exit, (report): D.DoctorReport => report))
  },
  startupCheck: (manifestPath, failOnProblems, options = {}) =>
    Effect.runPromiseExit(
      Layer.build(Doctor.layerStartupCheck({ manifest: manifestPath, failOnProblems, ...options }).pipe(Layer.provide(FetchHttpClient.layer))).pipe(Effect.scoped)
    ).then((exit) => outcomeOf(exit, () => undefined)),
  render: (report) => Doctor.render(report)
}

const line = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url))

export const driver: D.Driver = {
  line: "effect4",
  services: makeServices,
  tokenServiceFromConfig,
  systemUser: systemUserOf,
  doctor,
  doctorCommand: { bin: line("packages/cli/src/bin.ts"), tsconfig: line("tsconfig.json"), run: commandRunner(commandVerify) },
  mainProgram: line("behaviour/programs/main.ts")
}
