import { strict as assert } from "node:assert";
import { accessKeyWiringRule, literalKeyIds } from "../../policypack/credentials";
import { DEFAULT_CONFIG } from "../../policypack/config";
import { policyResource } from "../helpers/policy-resource";

const resource = policyResource;

describe("credentials rules (direct)", () => {
    const key = resource("aws:iam/accessKey:AccessKey", "ci-user");

    it("uses the engine's property dependencies when it sends them: only value inputs count", () => {
        const labelsOnly = resource("kubernetes:core/v1:Secret", "labelled", {
            dependencies: [key],
            propertyDependencies: { metadata: [key] },
        });
        const data = resource("kubernetes:core/v1:Secret", "made", { dependencies: [key], propertyDependencies: { stringData: [key] } });
        const messages = accessKeyWiringRule.check([key, labelsOnly, data], DEFAULT_CONFIG, new Map()).map((f) => f.name);
        assert.deepEqual(messages, ["made"]);
    });

    it("falls back to the resource's dependencies when no property dependencies are sent", () => {
        const version = resource("aws:secretsmanager/secretVersion:SecretVersion", "v", { dependencies: [key] });
        const unrelated = resource("aws:s3/bucket:Bucket", "b", { dependencies: [key] });
        assert.deepEqual(
            accessKeyWiringRule.check([key, version, unrelated], DEFAULT_CONFIG, new Map()).map((f) => f.name),
            ["v"],
        );
    });

    it("finds key ids only where they stand alone", () => {
        assert.deepEqual(
            literalKeyIds({
                a: "AKIAIOSFODNN7EXAMPLE",
                b: ["x ASIAY34FZKBOKMUTVV7A y"],
                c: "XAKIAIOSFODNN7EXAMPLE",
                d: "AKIAIOSFODNN7EXAMPLE1",
            }),
            ["AKIAIOSFODNN7EXAMPLE", "ASIAY34FZKBOKMUTVV7A"],
        );
    });
});
