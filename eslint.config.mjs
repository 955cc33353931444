// ESLint: typescript-eslint's recommended rules, plus Pulumi's rules that catch Outputs
// interpolated into template literals (they render as an error string, not the value).
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
    { ignores: ["node_modules/**", "**/node_modules/**", "bin/**", ".stryker-tmp/**", "reports/**", "bench/peer/**", "**/*.js", "**/*.mjs"] },
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/no-non-null-assertion": "error",
            "@typescript-eslint/no-floating-promises": "error",
            // Destructuring a key away to keep the rest is how the code omits a field.
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
        },
    },
    {
        files: ["tools/offline/analyzer.ts"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
