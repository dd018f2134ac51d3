/**
 * The emulator's page for local development: plain HTML and CSS, with a small script
 * (`pageScript.ts`) that fills it from `GET /emulator/api/state`. Everything it shows from a
 * request or a token is set as text, never as markup.
 */
export { pageScript } from "./pageScript.js"

const field = (id: string, label: string, input: string, hint = "") =>
  `<div class="field"><label for="${id}">${label}</label>${input}${hint === "" ? "" : `<small id="${id}-hint">${hint}</small>`}</div>`

const text = (id: string, label: string, hint = "", placeholder = "") =>
  field(id, label, `<input id="${id}" name="${id}" type="text" autocomplete="off" spellcheck="false"${placeholder === "" ? "" : ` placeholder="${placeholder}"`}${hint === "" ? "" : ` aria-describedby="${id}-hint"`}>`, hint)

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Texas emulator</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/emulator/page.css">
<script src="/emulator/page.js" defer></script>
</head>
<body>
<header>
  <h1>Texas emulator</h1>
  <p id="connection" role="status" aria-live="polite">Connecting…</p>
</header>
<main>
<section aria-labelledby="setup-title">
  <h2 id="setup-title">Set-up</h2>
  <dl id="setup"></dl>
  <table id="providers">
    <caption>Identity providers</caption>
    <thead><tr><th scope="col">Provider</th><th scope="col">Enabled</th><th scope="col">Issuer</th><th scope="col">Client id</th></tr></thead>
    <tbody></tbody>
  </table>
</section>

<section aria-labelledby="mint-title">
  <h2 id="mint-title">Mint a user token</h2>
  <p>A token as the provider shapes it after a login (for Maskinporten: a partner's token), accepted by this emulator's introspection and exchange. Empty fields take the emulator's defaults.</p>
  <form id="mint-form">
    ${field("provider", "Provider", `<select id="provider" name="provider"><option value="idporten">ID-porten</option><option value="tokenx">TokenX</option><option value="entra_id">Entra ID</option><option value="maskinporten">Maskinporten</option></select>`)}
    <div class="grid">
      ${text("pid", "pid (national identity number)", "ID-porten, TokenX", "12345678910")}
      ${text("acr", "acr (level of assurance)", "ID-porten, TokenX", "idporten-loa-high")}
      ${text("scope", "scope", "Maskinporten, space-separated", "nav:example/read")}
      ${text("consumer", "consumer (organisation number)", "Maskinporten", "889640782")}
      ${text("groups", "groups", "Entra ID, comma-separated object ids")}
      ${text("roles", "roles", "Entra ID; roles without groups make an application's token")}
      ${text("client", "client", "the calling application")}
      ${text("audience", "audience", "default: this application's client id")}
      ${text("subject", "subject", "default: a random id")}
      ${field("expires", "expires in (seconds)", `<input id="expires" name="expires" type="number" min="1" max="86400" step="1" placeholder="3600">`)}
    </div>
    ${field("claims", "more claims (a JSON object)", `<textarea id="claims" name="claims" rows="2" spellcheck="false" placeholder='{"NAVident": "Z999999"}'></textarea>`)}
    <button type="submit">Mint token</button>
  </form>
  <div id="minted" hidden>
    <h3>Minted <span id="minted-fingerprint" class="fingerprint"></span></h3>
    <label for="minted-token">Token (copy it into your client; it is shown here only)</label>
    <textarea id="minted-token" rows="4" readonly spellcheck="false"></textarea>
    <p><button id="copy" type="button">Copy token</button> <span id="copied" role="status" aria-live="polite"></span></p>
    <details><summary>Claims</summary><pre id="minted-claims"></pre></details>
  </div>
  <p id="mint-error" class="error" role="alert"></p>
</section>

<section aria-labelledby="faults-title">
  <h2 id="faults-title">Faults</h2>
  <p>What the application's next requests to the sidecar meet, as the library's <code>Fault</code>s do. Queued: <span id="pending">none</span>.</p>
  <form id="fault-status" class="inline">
    <label for="status-times">Next</label> <input id="status-times" type="number" min="1" max="100" value="1" class="short">
    <label for="status-code">requests answer</label> <input id="status-code" type="number" min="400" max="599" value="503" class="short">
    <button type="submit">Queue</button>
  </form>
  <form id="fault-slow" class="inline">
    <label for="slow-times">Next</label> <input id="slow-times" type="number" min="1" max="100" value="1" class="short">
    <label for="slow-seconds">requests wait on a slow provider for (s)</label> <input id="slow-seconds" type="number" min="1" max="60" value="10" class="short">
    <button type="submit">Queue</button>
  </form>
  <form id="fault-restart" class="inline">
    <label for="restart-seconds">Restart now, refusing connections for (s) as the sidecar does while it starts</label> <input id="restart-seconds" type="number" min="0" max="60" value="3" class="short">
    <button type="submit">Restart</button>
  </form>
  <p><button id="fault-clear" type="button">Clear queued faults</button> <span id="fault-result" role="status" aria-live="polite"></span></p>
</section>

<section aria-labelledby="log-title">
  <h2 id="log-title">Requests the application made</h2>
  <p id="counters"></p>
  <table id="log">
    <thead><tr><th scope="col">Time</th><th scope="col">Endpoint</th><th scope="col">Provider</th><th scope="col">Target</th><th scope="col">Answer</th><th scope="col">Latency</th><th scope="col">Sidecar cache</th><th scope="col">Tokens</th></tr></thead>
    <tbody></tbody>
  </table>
  <p id="log-empty">No requests yet.</p>
</section>
</main>
</body>
</html>
`

/** The page's markup. */
export const pageHtml = (): string => html

const style = `
:root { color-scheme: light dark; --accent: #0067c5; --muted: #6a6a6a; --bad: #c30000; --ok: #06893a; --line: #d0d5dd; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; }
header { padding: 0.75rem 1.5rem; border-bottom: 1px solid var(--line); display: flex; gap: 1.5rem; align-items: baseline; }
h1 { font-size: 1.3rem; margin: 0; }
h2 { font-size: 1.1rem; margin: 0 0 0.5rem; }
h3 { font-size: 1rem; margin: 0.75rem 0 0.25rem; }
main { padding: 0 1.5rem 2rem; display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 0 2rem; }
section { padding-top: 1rem; }
section:last-child { grid-column: 1 / -1; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; margin: 0 0 0.5rem; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
caption { text-align: left; color: var(--muted); padding: 0.25rem 0; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td { overflow-wrap: anywhere; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0.25rem 1rem; }
.field { display: flex; flex-direction: column; margin-bottom: 0.4rem; }
label { font-weight: 600; font-size: 0.9rem; }
small { color: var(--muted); }
input, select, textarea, button { font: inherit; padding: 0.3rem 0.45rem; border: 1px solid #8a8f98; border-radius: 4px; }
textarea { width: 100%; font-family: ui-monospace, monospace; font-size: 0.85rem; }
input.short { width: 5.5rem; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
button:hover { filter: brightness(1.1); }
:focus-visible { outline: 3px solid #ff9100; outline-offset: 2px; }
form.inline { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; margin-bottom: 0.5rem; }
form.inline label { font-weight: normal; }
.error { color: var(--bad); }
.status-ok { color: var(--ok); font-weight: 600; }
.status-bad { color: var(--bad); font-weight: 600; }
.fingerprint { font-family: ui-monospace, monospace; font-size: 0.85rem; }
pre { font-size: 0.8rem; margin: 0.25rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
details summary { cursor: pointer; }
`

/** The page's style sheet. */
export const pageStyle = (): string => style
