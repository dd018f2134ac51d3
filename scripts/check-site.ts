/**
 * The built documentation site (`docs/api`, one per line) as a reader finds
 * it: every local link and asset resolves to a file, modules are named by
 * package, no "Other" group, one main heading per page, no raw `media/`
 * README copies linked, each package's README a page of its module (`@document`
 * in its index.ts), not of a `packages` folder in the navigation. Run after typedoc (`npm run docs`); `--root <dir>`
 * checks another line's site.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, resolve } from "node:path"

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
for (const page of existsSync(join(root, "documents")) ? readdirSync(join(root, "documents")) : []) {
  if (/README\.html$/.test(page) && !/^_effect-texas_[a-z-]+\.README\.html$/.test(page)) problems.push(`documents/${page}: a README outside its package's module`)
}
for (const problem of problems) console.log(`FAIL ${problem}`)
console.log(`site: ${all.length} pages checked under ${root}, ${problems.length} problem(s)`)
process.exit(problems.length === 0 ? 0 : 1)
