import { strict as assert } from "node:assert";
import { PolicyConfigError } from "../../tools/offline/analyzer";
import { PlanProgress, runPlan } from "../../tools/offline/plan";

describe("npm run plan checks the policy config before the program runs (issue #26: invalid values were used)", () => {
    it("refuses every problem at once and never starts the program", async function () {
        this.timeout(120_000);
        const phases: string[] = [];
        await assert.rejects(
            runPlan({
                stack: "dev",
                policyConfig: { "*": { minKmsDeletionWindowDays: 90, podSecurityDefaultLevel: "lenient" } },
                onProgress: (p: PlanProgress) => phases.push(p.phase),
            }),
            (err: unknown) => {
                assert.ok(err instanceof PolicyConfigError, String(err));
                assert.match(err.message, /\*\.minKmsDeletionWindowDays: must be <= 30 \(got 90\)/);
                assert.match(err.message, /\*\.podSecurityDefaultLevel: must be equal to one of the allowed values \(got "lenient"\)/);
                return true;
            },
        );
        assert.deepEqual(phases, ["config"], "refused before the program ran");
    });
});
