/**
 * How a guide is read by the scripts that check it (`guide-programs.ts`) and install it
 * (`rehearse-release.ts`): its install block per line, its programs, and what they import.
 */
export type Line = "effect3" | "effect4"
export const lineOf = (path: string): Line => (path.includes("effect4/examples/") ? "effect4" : "effect3")
export const major: Record<Line, string> = { effect3: "0", effect4: "1" }

/** The packages a program imports (Node's own aside), by their npm names. */
export const importedPackages = (source: string): ReadonlySet<string> =>
  new Set([...source.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+"([^".][^"]*)"/gms)].map(([, from]) => from!)
    .filter((from) => !from.startsWith("node:"))
    .map((from) => from.split("/").slice(0, from.startsWith("@") ? 2 : 1).join("/")))

/** The `npm install` lines of each line's install block, as argument lists. */
export const installBlocks = (text: string): ReadonlyMap<Line, ReadonlyArray<ReadonlyArray<string>>> =>
  new Map([...text.matchAll(/<!-- install: (effect3|effect4) -->\n```sh\n([\s\S]*?)```\n/g)].map(([, line, body]) => [
    line as Line,
    body!.split("\n").filter((command) => command.startsWith("npm install ")).map((command) => command.split(/\s+/).slice(1))
  ]))

/** The programs a guide shows, in order, by their paths as written. */
export const guidePrograms = (text: string): ReadonlyArray<string> => [...text.matchAll(/<!-- program: (\S+) -->/g)].map(([, path]) => path!)

