/**
 * Lengths of time as the emulator takes them, without Effect: milliseconds,
 * or text such as `"5 minutes"` or `"-30 seconds"`, or a `Duration` of
 * either Effect line (read through its `toJSON`).
 *
 * @since 0.1.0
 */

/**
 * A length of time: milliseconds, `"<number> <unit>"` (nanos, micros,
 * millis, seconds, minutes, hours, days, weeks; singular or plural; a
 * leading `-` for a time in the past), `[seconds, nanos]`, nanoseconds as a
 * bigint, or an Effect `Duration`.
 *
 * @category Models
 * @since 0.1.0
 */
export type DurationInput =
  | number
  | bigint
  | string
  | readonly [seconds: number, nanos: number]
  | { readonly toJSON: () => unknown }

const unitMillis: Record<string, number> = {
  nano: 1e-6,
  micro: 1e-3,
  milli: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000
}

const text = /^(-?\d+(?:\.\d+)?)\s*(nano|micro|milli|second|minute|hour|day|week)s?$/

/** An Effect `Duration` as its `toJSON` shows it (the same in Effect 3 and 4). */
const fromJson = (json: unknown): number | undefined => {
  if (typeof json !== "object" || json === null) return undefined
  const value = json as { _tag?: unknown; millis?: unknown; nanos?: unknown; hrtime?: unknown }
  if (value._tag === "Millis" && typeof value.millis === "number") return value.millis
  if (value._tag === "Nanos" && (typeof value.nanos === "string" || typeof value.nanos === "bigint")) return Number(BigInt(value.nanos)) / 1e6
  if (value._tag === "Nanos" && Array.isArray(value.hrtime)) return Number(value.hrtime[0]) * 1000 + Number(value.hrtime[1]) / 1e6
  if (value._tag === "Infinity") return Infinity
  return undefined
}

/**
 * The length in milliseconds (negative for a time in the past); throws a
 * `TypeError` naming the input when it is not a length of time.
 *
 * @example
 * ```ts
 * import { Duration } from "@effect-texas/emulator"
 *
 * console.log(Duration.toMillis("2 seconds"), Duration.toMillis("-5 minutes"), Duration.toMillis(250)) // 2000 -300000 250
 * ```
 *
 * @category Conversions
 * @since 0.1.0
 */
export const toMillis = (input: DurationInput): number => {
  if (typeof input === "number") return input
  if (typeof input === "bigint") return Number(input) / 1e6
  if (typeof input === "string") {
    if (input.trim() === "Infinity") return Infinity
    const match = text.exec(input.trim())
    if (match !== null) return Number(match[1]) * unitMillis[match[2]!]!
  } else if (Array.isArray(input)) {
    return Number(input[0]) * 1000 + Number(input[1]) / 1e6
  } else if (typeof input === "object" && input !== null && "toJSON" in input) {
    const millis = fromJson(input.toJSON())
    if (millis !== undefined) return millis
  }
  throw new TypeError(`not a length of time: ${JSON.stringify(String(input))}`)
}
