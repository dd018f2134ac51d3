/**
 * `effect-texas-emulator token <provider>`: asks a running emulator for a user's token (its
 * `POST /emulator/api/tokens`) and prints the token alone on standard output, for `curl` or a
 * browser tool. The emulator is found at `--url`, else at the origin of the
 * `NAIS_TOKEN_INTROSPECTION_ENDPOINT` it printed, else on its default port.
 */
import { parseArgs } from "node:util"
import { isLoopback } from "./http.js"

export const tokenUsage = `Usage: effect-texas-emulator token <provider> [options]

Prints a user's token from a running emulator on standard output (nothing else), signed as
<provider> signs one after a login: idporten, tokenx, entra_id (azuread) or maskinporten
(a partner's token). The emulator accepts it at introspection and exchange.

Options:
  --url <url>          the running emulator (default: the origin of
                       NAIS_TOKEN_INTROSPECTION_ENDPOINT, else http://127.0.0.1:8090)
  --pid <number>       ID-porten, TokenX: the user's national identity number
  --acr <level>        ID-porten, TokenX: idporten-loa-high (default) or idporten-loa-substantial
  --scope <scopes>     Maskinporten: the token's scope, space-separated
  --consumer <orgno>   Maskinporten: the calling organisation
  --groups <ids>       Entra ID: group object ids, comma-separated
  --roles <roles>      Entra ID: app roles, comma-separated (without groups: an application's token)
  --client <id>        the calling application (client_id, or azp_name for Entra ID)
  --audience <aud>     the token's aud (default: this application's client id)
  --subject <sub>      the token's sub (default: a random id)
  --claim <name=value> another claim; the value is read as JSON when it is JSON; repeat for more
  --expires-in <s>     lifetime in seconds (default 3600)
  --help               show this text
`

/** A claim's value: JSON when it reads as JSON (`true`, `3`, `["a"]`), else the text itself. */
const claimValue = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** The request the flags describe, or why they describe none. */
export const mintRequest = (args: ReadonlyArray<string>): { readonly url?: string | undefined; readonly body: Record<string, unknown> } | { readonly help: true } => {
  const { positionals, values } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      url: { type: "string" },
      pid: { type: "string" },
      acr: { type: "string" },
      scope: { type: "string" },
      consumer: { type: "string" },
      groups: { type: "string" },
      roles: { type: "string" },
      client: { type: "string" },
      audience: { type: "string" },
      subject: { type: "string" },
      claim: { type: "string", multiple: true },
      "expires-in": { type: "string" },
      help: { type: "boolean", default: false }
    }
  })
  if (values.help) return { help: true }
  if (positionals.length !== 1) throw new Error("name one provider: idporten, tokenx, entra_id or maskinporten")
  const provider = positionals[0] === "azuread" ? "entra_id" : positionals[0]
  const claims: Record<string, unknown> = {}
  for (const pair of values.claim ?? []) {
    const at = pair.indexOf("=")
    if (at <= 0) throw new Error(`--claim takes name=value, got '${pair}'`)
    claims[pair.slice(0, at)] = claimValue(pair.slice(at + 1))
  }
  const expiresIn = values["expires-in"] === undefined ? undefined : Number(values["expires-in"])
  if (expiresIn !== undefined && !(Number.isInteger(expiresIn) && expiresIn > 0)) throw new Error(`--expires-in must be a whole number of seconds, got '${values["expires-in"]}'`)
  const { claim: _claim, help: _help, url, "expires-in": _expires, ...fields } = values
  return { url, body: { provider, ...fields, ...(expiresIn === undefined ? {} : { expiresIn }), ...(Object.keys(claims).length === 0 ? {} : { claims }) } }
}

/** Where the running emulator is: `--url`, the introspection endpoint's origin, or the default port. */
export const emulatorOrigin = (url: string | undefined, environment: NodeJS.ProcessEnv): string => {
  const given = url ?? environment["NAIS_TOKEN_INTROSPECTION_ENDPOINT"] ?? "http://127.0.0.1:8090"
  if (!URL.canParse(given)) throw new Error(`not a URL: '${given}'`)
  const parsed = new URL(given)
  if (parsed.protocol !== "http:" || !isLoopback(parsed.hostname)) throw new Error(`the emulator answers on loopback http only, not ${parsed.origin}`)
  return parsed.origin
}

/** Runs `token`: the token on stdout and 0; a message on stderr and 1 (no emulator, refused) or 2 (bad flags). */
export const runTokenCommand = async (args: ReadonlyArray<string>): Promise<number> => {
  let origin: string
  let body: Record<string, unknown>
  try {
    const request = mintRequest(args)
    if ("help" in request) {
      process.stdout.write(tokenUsage)
      return 0
    }
    origin = emulatorOrigin(request.url, process.env)
    body = request.body
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${tokenUsage}`)
    return 2
  }
  let response: Response
  try {
    response = await fetch(`${origin}/emulator/api/tokens`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) })
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error)
    process.stderr.write(`No emulator answered at ${origin} (${cause}): start one with \`npx effect-texas-emulator\`, or say where it is with --url\n`)
    return 1
  }
  const answer = await response.json().catch(() => undefined) as { readonly token?: unknown; readonly error_description?: unknown } | undefined
  if (response.status !== 200 || typeof answer?.token !== "string") {
    const why = typeof answer?.error_description === "string" ? answer.error_description : `it answered ${response.status}; is it an effect-texas emulator?`
    process.stderr.write(`The emulator at ${origin} did not mint a token: ${why}\n`)
    return 1
  }
  process.stdout.write(`${answer.token}\n`)
  return 0
}
