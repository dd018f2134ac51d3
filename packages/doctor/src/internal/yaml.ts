/** The YAML documents of a manifest as plain values, or why they cannot be read (as one sentence). */
import * as Yaml from "yaml"
import type { Problem } from "../Manifest.js"

const problem = (reason: string): Problem => ({ _tag: "Problem", reason })

/** A YAML error as one sentence: the parser's first line, with where it was found. */
const yamlSentence = (message: string): string => `${message.split("\n")[0]!.trim().replace(/[:.]$/, "")}.`

/** The YAML documents in `text`, or why they cannot be read. */
export const documentsOf = (text: string, source: string): ReadonlyArray<unknown> | Problem => {
  // Silent: a warning of the YAML library is no business of the terminal; errors are still returned.
  const documents = Yaml.parseAllDocuments(text, { logLevel: "silent" })
  const documentList = Array.isArray(documents) ? documents : [documents]
  const failed = documentList.find((document) => document.errors.length > 0)
  if (failed !== undefined) return problem(`${source} is not valid YAML: ${yamlSentence(failed.errors[0]!.message)}`)
  const values: Array<unknown> = []
  for (const document of documentList) {
    const value = toValue(document, source)
    if (typeof value === "object" && value !== null && (value as { readonly _tag?: unknown })._tag === "Problem") return value as Problem
    values.push(value)
  }
  return values
}

/**
 * A parsed document as plain values, or why not: the YAML library throws while converting an
 * alias to an anchor that was never set, or aliases that would expand past `maxAliasCount`.
 */
const toValue = (document: Yaml.Document, source: string): unknown => {
  try {
    return document.toJS({ maxAliasCount: 100 }) as unknown
  } catch (error) {
    return problem(`${source} is not usable YAML: ${yamlSentence(error instanceof Error ? error.message : String(error))}`)
  }
}

/** The one YAML document in `text` as plain values, or why not (`kind` names what it should be). */
export const documentOf = (text: string, source: string, kind: string): unknown => {
  const document = Yaml.parseDocument(text, { logLevel: "silent" })
  if (document.errors.length > 0) return problem(`${source} is not valid ${kind}: ${yamlSentence(document.errors[0]!.message)}`)
  return toValue(document, source)
}
