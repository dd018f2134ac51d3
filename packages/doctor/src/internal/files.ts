/**
 * How the doctor reads a manifest or variables file: opened without blocking, regular files only,
 * at most 1 MiB, whatever `stat` says.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs"
import type { Problem } from "../Manifest.js"

const problem = (reason: string): Problem => ({ _tag: "Problem", reason })

/**
 * The text of the file at `path`: opened without blocking (a named pipe would block an open),
 * refused unless the open file is a regular one, and read from that descriptor only until it
 * holds more than the cap. A size from `stat` is not trusted: procfs files say 0 and can hold gigabytes
 * (`/proc/self/pagemap`), and a file can grow between a look and a read.
 */
export const readText = (path: string): string | Problem => {
  let descriptor: number | undefined
  try {
    descriptor = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
    if (!fstatSync(descriptor).isFile()) return problem(`cannot read ${path}: it is not a regular file.`)
    const bytes = readAtMost(descriptor, maxManifestBytes)
    if (bytes.length > maxManifestBytes) return problem(`cannot read ${path}: it is larger than 1 MiB.`)
    return new TextDecoder().decode(bytes)
  } catch (error) {
    return problem(`cannot read ${path}: ${readFailure((error as { readonly code?: unknown }).code)}.`)
  } finally {
    if (descriptor !== undefined) closeSync(descriptor)
  }
}

/**
 * The start of an open file, read in whole chunks until it ends or holds more than `limit` bytes
 * (some procfs files take reads of whole records only: `pagemap` refuses a read of an odd size).
 */
const readAtMost = (descriptor: number, limit: number): Uint8Array => {
  const chunk = 64 * 1024
  const buffer = new Uint8Array(limit + chunk)
  let filled = 0
  while (filled <= limit) {
    const read = readSync(descriptor, buffer, filled, chunk, null)
    if (read === 0) break
    filled += read
  }
  return buffer.subarray(0, filled)
}

/** Why a file could not be read, in words (the system's code in brackets). */
const readFailure = (code: unknown): string => {
  const words: Record<string, string> = { ENOENT: "there is no such file", EACCES: "permission denied", EISDIR: "it is a directory", EAGAIN: "it is not a regular file" }
  return typeof code === "string" ? `${words[code] ?? "it could not be read"} (${code})` : "it could not be read"
}

/** The largest manifest or variables file read (a nais manifest is a few KB). */
const maxManifestBytes = 1024 * 1024

/** Whether `path` names a regular file, looked at without opening it (for `find`'s candidates). */
export const isRegularFile = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isFile() === true
