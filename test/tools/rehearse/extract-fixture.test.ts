import { strict as assert } from "node:assert";
import type { PlanFile, PlannedResource } from "../../../tools/offline/plan";
import { extractFixture } from "../../../tools/rehearse/extract-fixture";
import { rehearsalContext } from "../../../tools/rehearse/order";

const r = (name: string, dependsOn: string[] = [], parent: string | null = null, custom = true): PlannedResource => ({
    urn: `urn:pulumi:dev::p::t:m:T::${name}`,
    type: custom ? "t:m:T" : "p:c:Component",
    name,
    custom,
    parent: parent ? `urn:pulumi:dev::p::t:m:T::${parent}` : null,
    provider: null,
    protect: false,
    retainOnDelete: false,
    dependsOn: dependsOn.map((d) => `urn:pulumi:dev::p::t:m:T::${d}`),
    inputs: {},
});
const planOf = (resources: PlannedResource[]): PlanFile =>
    ({
        version: 2,
        project: "p",
        stack: "dev",
        resources,
        policy: { pack: "p", violations: [{}] },
        summary: { resources: resources.length, byType: {}, mandatory: 1, advisory: 0 },
        config: { "p:x": "y" },
    }) as unknown as PlanFile;

describe("tools/rehearse/extract-fixture.ts: cutting a fixture out of a full plan keeps 'created before' among the kept resources", () => {
    it("a transitive dependency through dropped resources becomes a direct one; unrelated kept resources stay unrelated", () => {
        const full = planOf([r("cluster"), r("group", ["cluster"]), r("gate", ["group"]), r("release", ["gate"]), r("other")]);
        const cut = extractFixture(full, ["release", "cluster", "other"]);
        assert.deepEqual(
            cut.resources.map((x) => x.name),
            ["cluster", "release", "other"],
        );
        const context = rehearsalContext(cut);
        const urn = (n: string): string => `urn:pulumi:dev::p::t:m:T::${n}`;
        assert.ok(context.createdBefore(urn("release"), urn("cluster")));
        assert.ok(!context.createdBefore(urn("release"), urn("other")));
        assert.deepEqual(cut.policy.violations, [], "the policy findings, config and invokes are not part of a fixture");
        assert.equal(cut.config, undefined);
    });
    it("refuses names the plan does not have", () => {
        assert.throws(() => extractFixture(planOf([r("a")]), ["a", "b"]), /not in the plan: b/);
    });
});
