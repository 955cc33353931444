/**
 * Stack config rules that span sections (stacks/config.ts crossSectionIssues), each with its exact
 * issue, and the error a user reads (file, key, value or "not set", secrets never echoed).
 */
import { strict as assert } from "node:assert";
import { ConfigError, formatIssue, parsePlatformConfig, PLATFORM_PROJECT, stackFileOf } from "../../stacks/config";
import { configWith } from "../helpers/mocks";

function issuesOf(changes: Record<string, unknown>, stack = "dev"): string[] {
    const values: Record<string, string> = { ...configWith(stack).values };
    for (const [key, value] of Object.entries(changes)) {
        values[`ciplatform:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    try {
        parsePlatformConfig(values, stack);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
        return err.issues.map(formatIssue);
    }
    return [];
}

describe("stack config rules across sections (stacks/config.ts)", () => {
    it("each runner architecture needs a CI NodePool, while runners are enabled", () => {
        assert.deepEqual(issuesOf({ runnersArchitectures: ["arm64", "amd64"], karpenterCiArchitectures: ["arm64"] }), [
            'ciplatform:runnersArchitectures: amd64 has no CI NodePool: add it to karpenterCiArchitectures (arm64) (got ["arm64","amd64"])',
        ]);
        assert.deepEqual(
            issuesOf({ runnersEnabled: false, runnersArchitectures: ["arm64", "amd64"], karpenterCiArchitectures: ["arm64"] }),
            [],
        );
        assert.deepEqual(issuesOf({ runnersArchitectures: ["arm64"], karpenterCiArchitectures: ["arm64", "amd64"] }), []);
    });

    it("Jenkins deploy roles must be named as the workload boundary allows, while Jenkins is enabled", () => {
        const inside = "arn:aws:iam::210987654321:role/cip-dev-jenkins-deploy-apps";
        const outside = "arn:aws:iam::210987654321:role/other";
        assert.deepEqual(issuesOf({ jenkinsEnabled: true, jenkinsDeployRoleArns: [inside] }), []);
        assert.deepEqual(issuesOf({ jenkinsEnabled: true, jenkinsDeployRoleArns: [inside, outside] }), [
            `ciplatform:jenkinsDeployRoleArns: ${outside}: the workload boundary lets Jenkins assume only roles named cip-dev-jenkins-deploy* (no path), in any account; rename the role (got ${JSON.stringify([inside, outside])})`,
        ]);
        assert.deepEqual(issuesOf({ jenkinsEnabled: false, jenkinsDeployRoleArns: [outside] }), []);
    });

    it("the runner jobs' own role is refused while the supply chain provides it; findings need the supply chain", () => {
        const role = "arn:aws:iam::123456789012:role/cip-dev-ci-job";
        assert.deepEqual(issuesOf({ supplyChainEnabled: true, runnersJobRoleArn: role }), [
            `ciplatform:runnersJobRoleArn: the runner jobs' role is the supply chain's CI job role (push and sign only) while supplyChainEnabled is true: remove runnersJobRoleArn, or set supplyChainEnabled false (got "${role}")`,
        ]);
        assert.deepEqual(issuesOf({ supplyChainEnabled: false, findingsEnabled: false, runnersJobRoleArn: role }), []);
        assert.deepEqual(issuesOf({ supplyChainEnabled: true, runnersEnabled: false, runnersJobRoleArn: role }), []);
        assert.deepEqual(issuesOf({ supplyChainEnabled: false, findingsEnabled: true }), [
            "ciplatform:findingsEnabled: findings travel as policy reports, whose CRDs Kyverno installs (supply chain): set supplyChainEnabled true, or findingsEnabled false (got true)",
        ]);
    });

    it("the error names the stack file and lists each issue; values are shown, missing ones 'not set', secrets never", () => {
        const error = new ConfigError(
            [
                { key: "ciplatform:a", value: undefined, message: "is required" },
                { key: "ciplatform:b", value: "s3cr3t", message: "is a secret", hidden: true },
            ],
            "Pulumi.dev.yaml",
        );
        assert.equal(error.name, "ConfigError");
        assert.equal(
            error.message,
            [
                "Invalid stack configuration in Pulumi.dev.yaml:",
                "  - ciplatform:a: is required (not set)",
                "  - ciplatform:b: is a secret (got a plaintext value, not shown)",
            ].join("\n"),
        );
        assert.equal(new ConfigError([]).message, "Invalid stack configuration:");
        assert.equal(stackFileOf(PLATFORM_PROJECT, "prod"), "Pulumi.prod.yaml");
        assert.equal(stackFileOf({ ...PLATFORM_PROJECT, dir: "foundation" }, "account"), "foundation/Pulumi.account.yaml");
    });
});
