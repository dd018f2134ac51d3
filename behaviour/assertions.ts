/**
 * Assertions the suite shares that cannot pass without checking something: "no token in what was
 * printed" fails on an empty list of printed forms or of tokens, where a loop would pass at once.
 */
import { expect } from "vitest"

/** No token of `tokens` in any of `texts`; both lists must hold something. */
export const expectNoTokenIn = (texts: ReadonlyArray<string>, tokens: ReadonlyArray<string>, what = "the printed forms") => {
  expect(texts.length, `${what}: nothing was printed to check`).toBeGreaterThan(0)
  expect(tokens.length, `${what}: no token was issued to look for`).toBeGreaterThan(0)
  for (const text of texts) for (const token of tokens) expect(text, what).not.toContain(token)
}
