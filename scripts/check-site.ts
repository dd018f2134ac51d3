/**
 * The built documentation site (`docs/api`, both lines on one site) as a reader finds it: every
 * local link and asset resolves to a file, modules are named by package, no "Other" group, one main
 * heading per page, no raw `media/` README copies linked, each package's README a page of its
 * module (`@document` in its index.ts); every page of the reference says which line it is (its
 * section in the path and the breadcrumb), one sidebar entry per name in each list, every service's
 * page shows what the service offers (`TokenService`: `token` and `renew`, on both lines), and the
 * "On this page" entries keep the text of headings with code. Run after typedoc (`npm run docs`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { inflateSync } from "node:zlib"

const root = resolve(process.argv.includes("--root") ? process.argv[process.argv.indexOf("--root") + 1]! : "docs/api")

const pages = (directory: string): ReadonlyArray<string> =>
  readdirSync(directory).flatMap((name) => {
    const path = join(directory, name)
    return statSync(path).isDirectory() ? pages(path) : name.endsWith(".html") ? [path] : []
  })

const problems: Array<string> = []
const all = pages(root)
for (const page of all) {
  const html = readFileSync(page, "utf8")
  const where = page.slice(root.length + 1)
  for (const [, target] of html.matchAll(/(?:href|src)="([^"]+)"/g)) {
    if (/^(?:[a-z]+:|#|\/\/)/i.test(target!)) continue
    const path = decodeURIComponent(target!.split("#")[0]!.split("?")[0]!)
    if (path === "") continue
    if (!existsSync(resolve(dirname(page), path))) problems.push(`${where}: broken link ${target}`)
    if (/media\/README/i.test(path)) problems.push(`${where}: links a raw README copy ${target}`)
  }
  const headings = [...html.matchAll(/<h1[\s>]/g)].length
  if (headings > 1) problems.push(`${where}: ${headings} <h1> headings`)
  if (/<h2[^>]*>\s*(?:<[^>]+>\s*)*Other\s*</.test(html)) problems.push(`${where}: an "Other" group`)
  if (/\/src(?:<|")/.test(html.match(/<title>[^<]*<\/title>/)?.[0] ?? "")) problems.push(`${where}: a module named by its folder`)
}
const sections = ["Effect_3_line", "Effect_4_line", "Shared_by_both_lines"]
const sectionNames: Record<string, string> = { Effect_3_line: "Effect 3 line", Effect_4_line: "Effect 4 line", Shared_by_both_lines: "Shared by both lines" }
for (const page of existsSync(join(root, "documents")) ? readdirSync(join(root, "documents")) : []) {
  if (/README\.html$/.test(page) && !new RegExp(`^(${sections.join("|")})\\._effect-texas_[a-z-]+\\.README\\.html$`).test(page)) problems.push(`documents/${page}: a README outside its package's module`)
}

// ---- which line each page is -------------------------------------------------------------------

for (const folder of ["modules", "classes", "functions", "variables", "types", "interfaces"]) {
  for (const page of existsSync(join(root, folder)) ? readdirSync(join(root, folder)) : []) {
    const section = sections.find((name) => page.startsWith(`${name}.`) || page === `${name}.html`)
    if (section === undefined) {
      problems.push(`${folder}/${page}: in no line's section`)
      continue
    }
    const breadcrumb = readFileSync(join(root, folder, page), "utf8").match(/<ul class="tsd-breadcrumb"[\s\S]*?<\/ul>/)?.[0] ?? ""
    if (page !== `${section}.html` && !breadcrumb.includes(sectionNames[section]!.split(" (")[0]!)) problems.push(`${folder}/${page}: its breadcrumb does not name its line`)
  }
}

// ---- the sidebar: one entry per name ------------------------------------------------------------

interface NavigationItem {
  readonly text: string
  readonly children?: ReadonlyArray<NavigationItem>
}
const navigation = readFileSync(join(root, "assets", "navigation.js"), "utf8").match(/= "([^"]+)"/)?.[1]
const tree = JSON.parse(inflateSync(Buffer.from(navigation ?? "", "base64")).toString()) as ReadonlyArray<NavigationItem>
const twice = (items: ReadonlyArray<NavigationItem>, path: string): void => {
  const seen = new Set<string>()
  for (const item of items) {
    if (seen.has(item.text)) problems.push(`sidebar: ${path}${item.text} appears twice`)
    seen.add(item.text)
    twice(item.children ?? [], `${path}${item.text} / `)
  }
}
twice(tree, "")

// ---- services show what they offer --------------------------------------------------------------

let services = 0
for (const page of existsSync(join(root, "classes")) ? readdirSync(join(root, "classes")) : []) {
  const html = readFileSync(join(root, "classes", page), "utf8")
  // A service: a class with a layer to provide it.
  if (!/id="layer(?:config)?"/.test(html)) continue
  services++
  if (!html.includes('id="what-the-service-offers"')) problems.push(`classes/${page}: a service page without what the service offers`)
}
for (const line of ["Effect_3_line", "Effect_4_line"]) {
  const page = join(root, "classes", `${line}._effect-texas_core.TokenService.html`)
  const html = existsSync(page) ? readFileSync(page, "utf8") : ""
  for (const member of ["token", "renew"]) if (!html.includes(`id="${member}"`)) problems.push(`${line}'s TokenService page: no ${member}`)
}
if (services < 10) problems.push(`only ${services} service pages found: is the plugin (scripts/typedoc-services.mjs) loaded?`)

// ---- "On this page" keeps headings' code ---------------------------------------------------------

for (const page of all) {
  const html = readFileSync(page, "utf8")
  for (const [, text] of html.matchAll(/<div class="tsd-accordion-details">([\s\S]*?)<\/div>/g)) {
    for (const [, entry] of text!.matchAll(/<span>([^<]*(?:<wbr\/>[^<]*)*)<\/span>/g)) {
      if (/, ,|, $|^\s*$|`/.test(entry!.replace(/<wbr\/>/g, ""))) problems.push(`${page.slice(root.length + 1)}: "On this page" lost a heading's code: "${entry}"`)
    }
  }
}
for (const problem of problems) console.log(`FAIL ${problem}`)
console.log(`site: ${all.length} pages checked under ${root}, ${problems.length} problem(s)`)
process.exit(problems.length === 0 ? 0 : 1)
