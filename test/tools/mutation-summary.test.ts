import { strict as assert } from "node:assert";
import { areaOf, mergeReports, renderScores, scoreReport } from "../../tools/mutation/summary";

describe("mutation summary (npm run test:mutation)", () => {
    const report = {
        files: {
            "policypack/iam.ts": {
                mutants: [{ status: "Killed" }, { status: "Timeout" }, { status: "Survived" }, { status: "NoCoverage" }],
            },
            "components/pki/policies.ts": { mutants: [{ status: "Killed" }, { status: "CompileError" }, { status: "Ignored" }] },
        },
    } as const;

    it("scores killed plus timed-out over valid mutants, survivors and unreached mutants included, compile errors and ignored excluded", () => {
        const scores = new Map(scoreReport(report).map((s) => [s.area, s]));
        assert.equal(scores.get("policypack")?.score, 50);
        assert.equal(scores.get("policypack")?.valid, 4);
        assert.equal(scores.get("components/pki")?.score, 100);
        assert.equal(scores.get("components/pki")?.valid, 1);
        assert.equal(scores.get("all")?.detected, 3);
        assert.equal(scores.get("all")?.valid, 5);
        assert.equal(scores.get("all")?.score, 60);
    });

    it("groups components by capability and says whether the 85% target is met", () => {
        assert.equal(areaOf("components/foundation/deployer-policies.ts"), "components/foundation");
        assert.equal(areaOf("stacks/settings/core.ts"), "stacks");
        assert.match(renderScores(scoreReport(report)), /Overall: below the 85% target/);
        const perfect = { files: { "policypack/iam.ts": { mutants: [{ status: "Killed" }] } } } as const;
        assert.match(renderScores(scoreReport(perfect)), /Overall: target met/);
    });

    it("merges the reports of runs in pieces, a file's later report replacing its earlier one", () => {
        const later = { files: { "policypack/iam.ts": { mutants: [{ status: "Killed" }, { status: "Killed" }] } } } as const;
        const merged = mergeReports([report, later]);
        assert.deepEqual(Object.keys(merged.files).sort(), ["components/pki/policies.ts", "policypack/iam.ts"]);
        const scores = new Map(scoreReport(merged).map((s) => [s.area, s]));
        assert.equal(scores.get("policypack")?.score, 100);
        assert.equal(scores.get("all")?.valid, 3);
        assert.equal(scores.get("all")?.detected, 3);
    });
});
