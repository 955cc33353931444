import { strict as assert } from "node:assert";
import { summarize, syntheticStack, typeMix } from "../../bench/stats";

describe("benchmark helpers", () => {
    it("summarizes samples as median, min and max", () => {
        assert.deepEqual(summarize([5, 1, 3]), { median: 3, min: 1, max: 5, runs: 3 });
        assert.deepEqual(summarize([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4, runs: 4 });
        assert.throws(() => summarize([]), /no samples/);
    });

    it("builds a deterministic synthetic stack of the requested size and a realistic mix", () => {
        const stack = syntheticStack(1100);
        assert.equal(stack.length, 1100);
        assert.deepEqual(syntheticStack(1100), stack);
        const mix = typeMix(stack);
        assert.equal(Object.keys(mix).length, 11);
        assert.ok(Object.values(mix).every((n) => n === 100));
        assert.ok(
            mix["aws:iam/rolePolicy:RolePolicy"] && mix["kubernetes:karpenter.sh/v1:NodePool"] && mix["aws:secretsmanager/secret:Secret"],
        );
    });
});
