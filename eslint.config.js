// @ts-check
import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", ".stryker-tmp/**", "reports/**", "**/docs/**", "**/.doc-examples/**", "**/.snippets/**", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", URL: "readonly", Buffer: "readonly" }
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-namespace": "off",
      "no-console": "error",
      "eqeqeq": ["error", "always"],
      "prefer-const": "error"
    }
  },
  {
    // Examples, benchmarks and scripts are programs whose output is the point.
    files: ["examples/**", "effect4/examples/**", "bench/**", "scripts/**", "reliability/load.ts", "reliability/soak/run.ts"],
    rules: { "no-console": "off" }
  }
)
