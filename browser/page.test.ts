/**
 * The emulator's page in a real browser (Debian's Chromium, driven by playwright-core), as a
 * developer uses it: the emulator command running, the example API (`examples/local-api.ts`, on
 * each line: Effect 4's on Node 22, as its platform packages require) run against it with the
 * variables it printed, and the page open. Mint a token on the page, call the
 * API with it, see the call in the page's log; queue a fault on the page, see the API's next token
 * request fail as the page said. And another site's page cannot change the emulator.
 */
import type { ChildProcess } from "node:child_process"
import { mkdirSync } from "node:fs"
import { createInterface } from "node:readline"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { spawnTracked } from "../scripts/children.js"
import { ensureChromium } from "../scripts/chromium.js"
import { startEmulatorCommand } from "../scripts/emulator-command.js"
import { node22 } from "../scripts/node-binary.js"

/** Each line's example API: the Node binary and the folder it runs in. */
const lines = [
  { line: "Effect 3", node: () => process.execPath, cwd: "." },
  { line: "Effect 4", node: node22, cwd: "effect4" }
] as const

/** Chromium's flags on a machine with no network beyond loopback (no background calls, no sandbox as root). */
const flags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage"
]

let emulator: { readonly child: ChildProcess; readonly env: Readonly<Record<string, string>> }
let app: ChildProcess
let appUrl: string
let pageUrl: string
let browser: Browser
let page: Page

/** Starts a line's example API with the emulator's variables; resolves with the URL it prints. */
const startApp = (example: (typeof lines)[number], env: Readonly<Record<string, string>>) =>
  new Promise<{ readonly child: ChildProcess; readonly url: string }>((resolve, reject) => {
    const child = spawnTracked(example.node(), ["--import", "tsx", "examples/local-api.ts"], { cwd: example.cwd, env: { ...process.env, ...env, PORT: "0" } })
    const timer = setTimeout(() => reject(new Error("the example API did not start within 30 s")), 30_000)
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const listening = /^API listening on (\S+)/.exec(line)
      if (listening === null) return
      clearTimeout(timer)
      resolve({ child, url: listening[1]! })
    })
    child.once("exit", (code) => reject(new Error(`the example API exited (${code})`)))
  })

for (const example of lines) {
  describe(example.line, () => {
    beforeAll(async () => {
      const executablePath = ensureChromium()
      emulator = await startEmulatorCommand(process.execPath, ["--import", "tsx", "packages/testkit/src/bin.ts"], process.cwd())
      pageUrl = `${new URL(emulator.env["NAIS_TOKEN_INTROSPECTION_ENDPOINT"]!).origin}/emulator`
      const started = await startApp(example, emulator.env)
      app = started.child
      appUrl = started.url
      browser = await chromium.launch({ executablePath, args: flags })
      page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    })

    afterAll(async () => {
      await browser?.close()
      app?.kill()
      emulator?.child.kill()
    })

    const logText = () => page.locator("#log tbody").innerText()

    describe(`the emulator's page, with the ${example.line} example API`, () => {
      it("shows the set-up: the sidecar, the grants and every provider", async () => {
        await page.goto(pageUrl)
        await expect(page.title()).resolves.toBe("Texas emulator")
        await page.locator("#connection", { hasText: "Live" }).waitFor()
        expect(await page.locator("#setup").innerText()).toContain("every scope")
        expect(await page.locator("#providers tbody tr").count()).toBe(4)
      })

      it("mints a token by keyboard alone; the API takes it, and the page logs the introspection by the token's fingerprint", async () => {
        await page.locator("#provider").focus()
        await page.keyboard.press("End") // the last provider: Maskinporten
        expect(await page.locator("#provider").inputValue()).toBe("maskinporten")
        const focusOrder: Array<string> = []
        for (let i = 0; i < 12 && focusOrder.at(-1) !== "claims"; i++) {
          await page.keyboard.press("Tab")
          focusOrder.push((await page.locator(":focus").getAttribute("id")) ?? "")
          if (focusOrder.at(-1) === "scope") await page.keyboard.type("nav:api/read")
          if (focusOrder.at(-1) === "consumer") await page.keyboard.type("889640782")
        }
        expect(focusOrder.slice(0, 4)).toEqual(["pid", "acr", "scope", "consumer"])
        await page.keyboard.press("Tab") // the submit button
        expect(await page.locator(":focus").textContent()).toBe("Mint token")
        await page.keyboard.press("Enter")
        await page.locator("#minted").waitFor()
        const token = await page.locator("#minted-token").inputValue()
        const fingerprint = await page.locator("#minted-fingerprint").innerText()
        expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
        expect(fingerprint).toMatch(/^sha256:[0-9a-f]{12}$/)
        expect(await page.locator("#minted-claims").textContent()).toContain("\"ID\": \"0192:889640782\"")

        const reports = await fetch(`${appUrl}/api/reports`, { headers: { authorization: `Bearer ${token}` } })
        expect(reports.status).toBe(200)
        const row = page.locator("#log tbody tr", { hasText: fingerprint })
        await row.waitFor()
        expect(await row.innerText()).toMatch(/POST introspect\s+maskinporten\s+.*200/s)
        // The log shows the token's fingerprint and claims, never the token.
        expect(await page.locator("#log").innerHTML()).not.toContain(token.split(".")[2]!)
      })

      it("queues a fault; the API's next token request fails as the page said, and the log shows each answer", async () => {
        await page.locator("#status-times").fill("10")
        await page.locator("#status-code").fill("503")
        await page.locator("#fault-status button").click()
        await page.locator("#fault-result", { hasText: "Queued: the next 10 request(s) get 503." }).waitFor()
        expect(await page.locator("#pending").innerText()).toBe(Array(10).fill("Status").join(", "))

        const upstream = await fetch(`${appUrl}/api/upstream`)
        expect(upstream.status).toBe(502)
        expect(await upstream.json()).toMatchObject({ upstream: "TokenEndpointError", message: expect.stringContaining("503") })
        await page.locator("#log tbody tr", { hasText: "503 server_error (fault: Status)" }).first().waitFor()
        const failed = await page.locator("#log tbody tr", { hasText: "fault: Status" }).count()
        expect(failed).toBeGreaterThan(0)
        expect(await logText()).toContain("POST token")

        await page.locator("#fault-clear").click()
        await page.locator("#pending", { hasText: "none" }).waitFor()
        expect((await fetch(`${appUrl}/api/upstream`)).status).toBe(200)
        await page.locator("#log tbody tr", { hasText: "nav:upstream/read" }).filter({ hasText: "200" }).first().waitFor()
        if (example.line === "Effect 3") await page.screenshot({ path: screenshotPath(), fullPage: true })
      })

      it("another site's page cannot change the emulator: no form post, no script's fetch", async () => {
        const evil = await browser.newPage()
        const faults = `${new URL(pageUrl).origin}/emulator/api/faults`
        await evil.route("http://evil.test/**", (route) =>
          route.fulfill({
            contentType: "text/html",
            body: `<form id="f" method="POST" action="${faults}" enctype="text/plain"><input name='{"fault":"status","times":5,"x":"' value='"}'></form>
    <script>
    fetch(${JSON.stringify(faults)}, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ fault: "status", times: 5 }) })
      .then(() => { document.title = "fetch: answered" }, () => { document.title = "fetch: blocked" })
      .finally(() => document.getElementById("f").submit())
    </script>`
          }))
        await evil.goto("http://evil.test/")
        await evil.waitForURL(faults).catch(() => undefined)
        await evil.close()
        const state = (await (await fetch(`${new URL(pageUrl).origin}/emulator/api/state`)).json()) as { pendingFaults: Array<string> }
        expect(state.pendingFaults).toEqual([])
      })
    })
  })
}

/** Where the page's screenshot goes (`reports/` is not committed). */
const screenshotPath = () => {
  mkdirSync("reports/browser", { recursive: true })
  return "reports/browser/emulator-page.png"
}
