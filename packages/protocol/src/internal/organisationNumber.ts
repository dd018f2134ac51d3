/** Norwegian organisation numbers: nine digits, the last a mod-11 check digit over the first eight. */

const weights = [3, 2, 7, 6, 5, 4, 3, 2]

/** Why `organization` is not an organisation number, or undefined (`Access.organizationNumberProblem`). */
export const numberProblem = (organization: string): string | undefined => {
  if (!/^\d{9}$/.test(organization)) return "it must be exactly nine digits"
  const digits = [...organization].map(Number)
  const sum = weights.reduce((total, weight, index) => total + weight * digits[index]!, 0)
  const check = 11 - (sum % 11)
  if (check === 10) return "no organisation number has these first eight digits (their check digit would be 10)"
  const expected = check === 11 ? 0 : check
  return digits[8] === expected ? undefined : `the check digit should be ${expected}`
}
