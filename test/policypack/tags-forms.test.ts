/**
 * The tag rules (policypack/tags.ts) by form: tags absent, null, not an object, empty or blank values,
 * values that are not strings, and the provider's default tags under the resource's own.
 */
import { strict as assert } from "node:assert";
import { DEFAULT_CONFIG } from "../../policypack/config";
import { missingTags, orgTagsRule, secretAbacTagRule } from "../../policypack/tags";

describe("tag rules by form (policypack/tags.ts)", () => {
    it("missingTags: absent, null, non-object tags, and blank or non-string values are missing, in the order required", () => {
        const required = ["environment", "owner"];
        for (const tags of [undefined, null, "environment=dev", 42]) {
            assert.deepEqual(missingTags(tags, required), required, String(tags));
        }
        assert.deepEqual(missingTags({ owner: "team", environment: "  " }, required), ["environment"]);
        assert.deepEqual(missingTags({ owner: 1, environment: "dev" }, required), ["owner"]);
        assert.deepEqual(missingTags({ owner: " team ", environment: "dev", extra: "" }, required), []);
    });

    it("aws-resource-require-org-tags: the provider's default tags count, under the resource's own", () => {
        const check = (props: Record<string, unknown>, providerProps?: Record<string, unknown>) =>
            orgTagsRule.check(
                { type: "aws:sqs/queue:Queue", name: "q", urn: "u", props, providerProps, stackTags: new Map() },
                DEFAULT_CONFIG,
            );
        const defaults = { defaultTags: { tags: { environment: "dev", owner: "team", "cost-center": "cc", "managed-by": "pulumi" } } };
        assert.deepEqual(check({}, defaults), []);
        assert.deepEqual(check({ tags: null }, defaults), []);
        assert.deepEqual(check({ tags: { owner: "" } }, defaults), [
            'aws:sqs/queue:Queue "q" is missing org tags "owner": set them in its tags input.',
        ]);
        assert.deepEqual(check({ tags: { owner: "team" } }), [
            'aws:sqs/queue:Queue "q" is missing org tags "environment", "cost-center", "managed-by": set them in its tags input.',
        ]);
        assert.deepEqual(
            check({ tags: { environment: "dev", owner: "team", "cost-center": "cc", "managed-by": "pulumi" } }, { defaultTags: {} }),
            [],
        );
    });

    it("secretsmanager-secret-require-abac-tag: names the missing ABAC keys", () => {
        const check = (tags: unknown, keys = DEFAULT_CONFIG.abacTagKeys) =>
            secretAbacTagRule.check(
                { type: "aws:secretsmanager/secret:Secret", name: "s", urn: "u", props: { tags }, stackTags: new Map() },
                { ...DEFAULT_CONFIG, abacTagKeys: keys },
            );
        assert.deepEqual(check({ ekssecret: "ns" }), []);
        assert.deepEqual(check(null, ["ekssecret", "team"]), [
            'secret "s" has no ABAC tag "ekssecret", "team": tag it with the namespace allowed to read it.',
        ]);
    });
});
