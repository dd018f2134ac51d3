/**
 * A request to mint a user's token (the page's form, `effect-texas-emulator token`, or any
 * program posting JSON to `/emulator/api/tokens`), read into `UserTokenOptions`, or why not.
 */
import type { UserTokenOptions } from "../EmulatorOptions.js"
import { allProviders, type IdentityProvider } from "./providers.js"

/** The most a minted token may live: a day (a longer one is no local-development need). */
const maxLifetimeSeconds = 24 * 60 * 60

type Read<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly reason: string }

const text = (body: Record<string, unknown>, name: string): string | undefined | { readonly reason: string } => {
  const value = body[name]
  if (value === undefined || value === null || value === "") return undefined
  return typeof value === "string" && value.length <= 4096 ? value : { reason: `${name} must be a string of at most 4096 characters` }
}

/** A list given as a JSON list of strings, or as one string of comma- or space-separated names. */
const list = (body: Record<string, unknown>, name: string): ReadonlyArray<string> | undefined | { readonly reason: string } => {
  const value = body[name]
  if (value === undefined || value === null) return undefined
  if (typeof value === "string") return value.split(/[\s,]+/).filter((item) => item.length > 0)
  if (Array.isArray(value) && value.length <= 1000 && value.every((item) => typeof item === "string")) return value as ReadonlyArray<string>
  return { reason: `${name} must be a list of strings` }
}

const isReason = (value: unknown): value is { readonly reason: string } => typeof value === "object" && value !== null && "reason" in value

/**
 * Reads a mint request: `provider` (one of the four), and optionally `subject`, `audience`,
 * `expiresIn` (seconds), `scope`, `consumer`, `acr`, `pid`, `groups`, `roles`, `client`, and
 * `claims` (an object of further claims, given last so they win).
 */
export const readMintRequest = (body: unknown): Read<UserTokenOptions> => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, reason: "the body must be a JSON object" }
  const fields = body as Record<string, unknown>
  const provider = allProviders.find((name) => name === fields["provider"])
  if (provider === undefined) return { ok: false, reason: `provider must be one of ${allProviders.join(", ")}` }
  const strings = Object.fromEntries(["subject", "audience", "scope", "consumer", "acr", "pid", "client"].map((name) => [name, text(fields, name)]))
  const lists = { groups: list(fields, "groups"), roles: list(fields, "roles") }
  const wrong = [...Object.values(strings), ...Object.values(lists)].find(isReason)
  if (wrong !== undefined) return { ok: false, reason: wrong.reason }
  const expiresIn = fields["expiresIn"]
  if (expiresIn !== undefined && (typeof expiresIn !== "number" || !Number.isFinite(expiresIn) || expiresIn <= 0 || expiresIn > maxLifetimeSeconds)) {
    return { ok: false, reason: `expiresIn must be a number of seconds above 0, at most ${maxLifetimeSeconds}` }
  }
  const claims = fields["claims"]
  if (claims !== undefined && (typeof claims !== "object" || claims === null || Array.isArray(claims))) return { ok: false, reason: "claims must be a JSON object" }
  const given = (name: string) => strings[name] as string | undefined
  const more = { ...(given("pid") === undefined ? {} : { pid: given("pid") }), ...(claims as Record<string, unknown> | undefined) }
  return {
    ok: true,
    value: {
      provider: provider satisfies IdentityProvider,
      subject: given("subject"),
      audience: given("audience"),
      expiresIn: expiresIn === undefined ? undefined : (expiresIn as number) * 1000,
      scope: given("scope"),
      consumer: given("consumer"),
      // Any level, so a developer can see how an API treats a level it does not take.
      acr: given("acr") as UserTokenOptions["acr"],
      groups: lists.groups as ReadonlyArray<string> | undefined,
      roles: lists.roles as ReadonlyArray<string> | undefined,
      clientId: given("client"),
      claims: Object.keys(more).length === 0 ? undefined : more
    }
  }
}
