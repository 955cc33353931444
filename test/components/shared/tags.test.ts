import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { loadPlatformConfig } from "../../../stacks/config";
import { Platform } from "../../../stacks/platform";
import { plan, single } from "../../helpers/mocks";
import { testFoundation } from "../../helpers/fixtures";

const ORG_TAGS = { environment: "dev", owner: "platform-team", "cost-center": "cc-1234", "managed-by": "pulumi" };

describe("org tags", () => {
    async function planWithChildren(build: (platform: Platform) => void, configChanges: Record<string, unknown> = {}) {
        return plan({
            configChanges,
            program: async () => {
                const platform = new Platform("cip-dev", {
                    config: loadPlatformConfig(),
                    accountId: "123456789012",
                    foundation: testFoundation(),
                });
                build(platform);
            },
        });
    }

    it("puts the org tags in the tags input of a taggable resource under the platform (an SQS queue), leaving no mandatory finding", async () => {
        const planned = await planWithChildren((platform) => {
            new aws.sqs.Queue("jobs", { sqsManagedSseEnabled: true }, { parent: platform });
        });
        assert.deepEqual(single(planned, "aws:sqs/queue:Queue", "jobs").inputs.tags, ORG_TAGS);
        assert.equal(planned.summary.mandatory, 0);
    });

    it("lets explicit tags win over org tags and keeps the resource's own tags", async () => {
        const planned = await planWithChildren((platform) => {
            new aws.sqs.Queue("jobs", { sqsManagedSseEnabled: true, tags: { owner: "ci-team", purpose: "jobs" } }, { parent: platform });
        });
        assert.deepEqual(single(planned, "aws:sqs/queue:Queue", "jobs").inputs.tags, { ...ORG_TAGS, owner: "ci-team", purpose: "jobs" });
    });

    it("uses the configured tag keys", async () => {
        const planned = await planWithChildren(
            (platform) => {
                new aws.sqs.Queue("jobs", { sqsManagedSseEnabled: true }, { parent: platform });
            },
            { "ciplatform:tagKeyCostCenter": "CostCenter" },
        );
        const tags = single(planned, "aws:sqs/queue:Queue", "jobs").inputs.tags as Record<string, string>;
        assert.equal(tags.CostCenter, "cc-1234");
        assert.equal(tags["cost-center"], undefined);
    });

    it("leaves resources without a tags map alone", async () => {
        const planned = await planWithChildren((platform) => {
            new aws.s3.BucketPolicy("standalone", { bucket: "b", policy: "{}" }, { parent: platform });
        });
        assert.equal(single(planned, "aws:s3/bucketPolicy:BucketPolicy", "standalone").inputs.tags, undefined);
    });

    it("the pack catches a taggable resource created outside the platform without tags", async () => {
        const planned = await plan({
            program: async () => {
                new aws.sqs.Queue("stray", { sqsManagedSseEnabled: true });
            },
        });
        assert.equal(planned.summary.mandatory, 1);
        assert.equal(planned.policy.violations[0].policy, "aws-resource-require-org-tags");
    });
});
