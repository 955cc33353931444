import { strict as assert } from "node:assert";
import { PolicyHostError, sharedPolicyHost } from "../../tools/offline/analyzer";
import { policyConfigProblems } from "../../tools/offline/policy-config";
import { CONFIG_SCHEMA } from "../../policypack/config";

const RESOURCE = {
    urn: "urn:pulumi:dev::ciplatform::aws:sqs/queue:Queue::q",
    type: "aws:sqs/queue:Queue",
    name: "q",
    properties: { sqsManagedSseEnabled: true, tags: { environment: "dev", owner: "t", "cost-center": "c", "managed-by": "pulumi" } },
    parent: null,
    protect: false,
    dependsOn: [],
};

describe("policy config is checked before it is used (issue #26)", () => {
    const schemas = new Map([["kms-key-require-rotation-and-safe-deletion", { properties: CONFIG_SCHEMA.properties, required: [] }]]);

    it("reports every invalid value, unknown key and bad level at once, naming entry, key, value and what is allowed", () => {
        assert.deepEqual(
            policyConfigProblems(
                {
                    "*": {
                        minKmsDeletionWindowDays: 90,
                        podSecurityDefaultLevel: "lenient",
                        orgTagKeys: [],
                        exemptions: [{ resourceName: "x" }],
                    },
                    "kms-key-require-rotation-and-safe-deletion": { enforcementLevel: "strict", minKmsDeletonWindowDays: 7 },
                },
                schemas,
            ),
            [
                '"*".orgTagKeys: must NOT have fewer than 1 items (got [])',
                '"*".minKmsDeletionWindowDays: must be <= 30 (got 90)',
                '"*".podSecurityDefaultLevel: must be equal to one of the allowed values; allowed: privileged, baseline, restricted (got "lenient")',
                '"*".exemptions[0]: must have required property \'reason\' (got {"resourceName":"x"})',
                '"kms-key-require-rotation-and-safe-deletion".enforcementLevel: must be one of advisory, mandatory, remediate, disabled (got "strict")',
                `"kms-key-require-rotation-and-safe-deletion".minKmsDeletonWindowDays: is not a setting of the pack's config; allowed: enforcementLevel, ${Object.keys(CONFIG_SCHEMA.properties).join(", ")}`,
            ],
        );
        assert.deepEqual(policyConfigProblems({ "*": { minKmsDeletionWindowDays: 14 } }, schemas), []);
    });

    it("the policy host refuses such a config with every problem, before configuring the pack, using the schemas the pack declares", async function () {
        this.timeout(120_000);
        const host = await sharedPolicyHost();
        await assert.rejects(host.analyze([RESOURCE], { "*": { minKmsDeletionWindowDays: 90 }, "no-such-policy": {} }), (err: unknown) => {
            assert.ok(err instanceof PolicyHostError);
            assert.match(err.message, /^Invalid policy config:\n/);
            assert.match(err.message, /"no-such-policy": the pack has no such policy; its policies: aws-resource-require-org-tags, /);
            assert.match(err.message, /"\*"\.minKmsDeletionWindowDays: must be <= 30 \(got 90\)/);
            return true;
        });
        // A valid config is used as given.
        assert.deepEqual(await host.analyze([RESOURCE], { "*": { minKmsDeletionWindowDays: 14 } }), []);
    });
});
