/**
 * Mocha global fixture of `npm test` (`--require test/global-setup.ts`): before any test file runs, and before
 * `--parallel` starts its workers, the shipped stacks are planned once (or read back from the plan cache when
 * nothing that decides them changed), so every file and worker reads the same plans (test/helpers/shared-plans.ts).
 * A single file run alone (`npx mocha test/x.test.ts`) plans what it asks for on first use instead.
 */
import { planShippedStacks } from "./helpers/shared-plans";

export async function mochaGlobalSetup(): Promise<void> {
    const start = Date.now();
    await planShippedStacks();
    console.log(`shared plans of the shipped stacks ready in ${((Date.now() - start) / 1000).toFixed(1)} s (test/helpers/shared-plans.ts)`);
}
