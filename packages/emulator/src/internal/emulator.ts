/**
 * How the emulator is put together: its state (clock, grants, faults, logs,
 * counters), the sidecar's decisions wired to it, and the handle's controls.
 */
import { randomUUID } from "node:crypto"
import { toMillis } from "../Duration.js"
import type { Fault } from "../Fault.js"
import type { RecordedRequest } from "../EmulatorLog.js"
import type {
  TexasEmulatorHandle,
  TexasEmulatorOptions,
  UserTokenOptions
} from "../TexasEmulator.js"
import { makeKeys } from "./keys.js"
import { allProviders, type IdentityProvider, type ProviderIdentity, userClaims } from "./providers.js"
import { devPath } from "./devtools.js"
import * as Routes from "./routes.js"
import type { SidecarContext } from "./sidecar.js"
import { makeSidecarCache } from "./sidecarCache.js"

const defaultClientId = "dev-gcp:team:app"

export { isLoopback } from "./http.js"

const defaultIssuer = (url: string, provider: IdentityProvider): string =>
  provider === "entra_id" ? `${url}/entra_id/v2.0` : `${url}/${provider}`

/** A repeatable stream of numbers in [0, 1) (mulberry32), for fault runs that must go the same way every time. */
const seeded = (seed: number) => {
  let state = seed >>> 0
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** What the emulator's logs may hold in all, each: a request with a 1.5 MB field cannot pin memory. */
export const maxLogBytes = 64 * 1024 * 1024

/**
 * A bounded list: the most recent entries, at most `limit` of them and `maxBytes` by `sizeOf`.
 * An evicted entry's slot is emptied at once, so the bound holds after every push (the slots
 * themselves are compacted away now and then: a pointer each, not the entries).
 */
const boundedList = <A>(limit: number, sizeOf: (item: A) => number, maxBytes = maxLogBytes) => {
  let slots: Array<A | undefined> = []
  let head = 0
  let bytes = 0
  return {
    push: (item: A) => {
      slots.push(item)
      bytes += sizeOf(item)
      while (slots.length - head > limit || (bytes > maxBytes && slots.length - head > 1)) {
        bytes -= sizeOf(slots[head]!)
        slots[head++] = undefined
      }
      if (head > 1024 && head * 2 > slots.length) {
        slots = slots.slice(head)
        head = 0
      }
    },
    all: (): ReadonlyArray<A> => slots.slice(head) as Array<A>,
    clear: () => {
      slots = []
      head = 0
      bytes = 0
    }
  }
}

/** A request as the log holds it: its body's bytes, some for the rest, and a token's claims at most 2 KiB each (they are what the emulator signed). */
const recordSize = (request: RecordedRequest) => request.bodyBytes + 512 + (request.tokens?.length ?? 0) * 2048

const zeroCounters = () => ({
  requests: 0,
  tokenRequests: 0,
  exchangeRequests: 0,
  introspectionRequests: 0,
  tokensIssued: 0,
  cacheHits: 0,
  faults: 0
})

/** The emulator's mutable state: clock, grants, faults, logs, counters, accepted tokens. */
export const makeState = (options: TexasEmulatorOptions) => {
  const limit = Math.max(1, options.requestLogLimit ?? 10_000)
  const initialGrants = () => (options.grantedScopes === undefined ? undefined : new Set(options.grantedScopes))
  const state = {
    offsetMs: 0,
    /** Requests logged since the start (the page's position in the log; not reset). */
    recorded: 0,
    granted: initialGrants(),
    counters: zeroCounters(),
    faults: [] as Array<Fault>,
    random: undefined as { readonly fault: Fault; readonly probability: number; readonly draw: () => number } | undefined,
    log: boundedList<RecordedRequest>(limit, recordSize),
    issued: boundedList<string>(limit, (token) => token.length * 2),
    accepted: new Map<string, IdentityProvider>(),
    now: () => Date.now() + state.offsetMs,
    nextFault: (): Fault | undefined =>
      state.faults.shift() ??
        (state.random !== undefined && state.random.draw() < state.random.probability ? state.random.fault : undefined),
    resetAll: () => {
      state.offsetMs = 0
      state.granted = initialGrants()
      state.counters = zeroCounters()
      state.faults = []
      state.random = undefined
      state.log.clear()
      state.accepted.clear()
    }
  }
  return state
}

export type State = ReturnType<typeof makeState>

/** Wires the sidecar's decisions to the emulator's state and the configured providers. */
export const makeSidecar = async (options: TexasEmulatorOptions, state: State, url: () => string): Promise<SidecarContext> => {
  const enabled = new Set<IdentityProvider>(options.enabledProviders ?? allProviders)
  const registered = options.entraIdApplications === undefined ? undefined : new Set(options.entraIdApplications)
  const identity = (provider: IdentityProvider): ProviderIdentity => ({
    issuer: options.providers?.[provider]?.issuer ?? defaultIssuer(url(), provider),
    clientId: options.providers?.[provider]?.clientId ?? options.clientId ?? defaultClientId
  })
  return {
    keys: await makeKeys(),
    cache: makeSidecarCache({
      now: state.now,
      maxEntries: Math.max(1, options.cacheLimit ?? 10_000),
      onHit: () => state.counters.cacheHits++
    }),
    now: state.now,
    isEnabled: (provider) => enabled.has(provider),
    lifetimeMs: toMillis(options.tokenLifetime ?? "1 hour"),
    upstreamLatencyMs: toMillis(options.upstreamLatency ?? 0),
    accepted: state.accepted,
    onIssued: (token) => {
      state.counters.tokensIssued++
      state.issued.push(token)
    },
    identity,
    organisationNumber: options.organisationNumber ?? "889640782",
    isGranted: (scope) => state.granted === undefined || state.granted.has(scope),
    isRegistered: (resource) => registered === undefined || registered.has(resource)
  }
}

export const countArrival = (state: State) => (path: string) => {
  state.counters.requests++
  if (path === Routes.tokenPath) state.counters.tokenRequests++
  if (path === Routes.exchangePath) state.counters.exchangeRequests++
  if (path === Routes.introspectPath) state.counters.introspectionRequests++
}

/** Signs a user's token as `provider` would after a login. */
const signUserToken = async (sidecar: SidecarContext, state: State, user: UserTokenOptions): Promise<string> => {
  const issuedAtMs = state.now()
  const expiresAtMs = issuedAtMs + toMillis(user.expiresIn ?? "1 hour")
  const claims = userClaims(sidecar, user.provider, user.subject ?? randomUUID(), user)
  const token = await sidecar.keys.sign(user.provider, {
    ...claims,
    ...(user.audience === undefined ? {} : { aud: user.audience }),
    iat: Math.floor(issuedAtMs / 1000),
    nbf: Math.floor(issuedAtMs / 1000),
    exp: Math.floor(expiresAtMs / 1000),
    jti: randomUUID(),
    ...user.claims
  })
  state.issued.push(token)
  return token
}

/** The synchronous controls over a running emulator. */
export const makeHandle = (
  url: string,
  sidecar: SidecarContext,
  state: State,
  ports: Pick<TexasEmulatorHandle, "probeUrl" | "restart" | "close">
): TexasEmulatorHandle => ({
  ...ports,
  url,
  pageUrl: `${url}${devPath}`,
  tokenEndpoint: `${url}${Routes.tokenPath}`,
  jwksUri: `${url}${Routes.jwksPath}`,
  jwks: sidecar.keys.jwks,
  issuer: (provider) => sidecar.identity(provider).issuer,
  clientId: (provider) => sidecar.identity(provider).clientId,
  now: state.now,
  inject: (fault, times = 1) => {
    for (let i = 0; i < times; i++) state.faults.push(fault)
  },
  injectRandomly: (fault, probability, seed) => {
    state.random = probability > 0 ? { fault, probability: Math.min(1, probability), draw: seed === undefined ? Math.random : seeded(seed) } : undefined
  },
  requests: state.log.all,
  stats: () => ({ ...state.counters }),
  issuedTokens: state.issued.all,
  issueUserToken: (user) => signUserToken(sidecar, state, user),
  accept: (token, provider) => {
    state.accepted.set(token, provider)
  },
  grant: (...scopes) => {
    state.granted ??= new Set()
    for (const scope of scopes) state.granted.add(scope)
  },
  revoke: (...scopes) => {
    state.granted ??= new Set()
    for (const scope of scopes) state.granted.delete(scope)
  },
  advance: (duration) => {
    state.offsetMs += toMillis(duration)
  },
  reset: () => {
    state.resetAll()
    sidecar.cache.clear()
  }
})
