/**
 * Which rules judge a type, and the "did you mean" for a type no rule judges (policypack/coverage.ts): what
 * `npm run policy` prints as "not checked by any rule".
 */
import { strict as assert } from "node:assert";
import { closestKnownType, coverageOf, rulesFor } from "../../policypack/coverage";

describe("rule coverage per type (policypack/coverage)", () => {
    it("rulesFor: the resource rules that apply to the type and the stack rules that read it, by name", () => {
        const topic = rulesFor("aws:sns/topic:Topic");
        assert.ok(topic.includes("sns-topic-require-kms"), topic.join(", "));
        assert.ok(topic.includes("aws-resource-require-org-tags"), "a taggable type is judged by the tag rule");
        assert.ok(!topic.includes("sqs-queue-require-encryption"));
        // The bucket's encryption and TLS are judged by a stack rule (it reads the bucket's companions).
        assert.ok(rulesFor("aws:s3/bucketV2:BucketV2").includes("s3-bucket-require-kms-and-tls"));
        assert.ok(!topic.includes("s3-bucket-require-kms-and-tls"));
        assert.deepEqual(rulesFor("random:index/randomPet:RandomPet"), []);
        assert.deepEqual(rulesFor("aws:s3/BucketV2:BucketV2"), [], "type tokens are case-sensitive");
    });

    it("closestKnownType: no suggestion for a known type, the same token in another case, a token a few edits away", () => {
        assert.equal(closestKnownType("aws:sns/topic:Topic"), undefined, "a known type is not a misspelling");
        assert.equal(closestKnownType("aws:s3/BucketV2:BucketV2"), "aws:s3/bucketV2:BucketV2");
        assert.equal(closestKnownType("aws:sns/topic:Topik"), "aws:sns/topic:Topic");
        // Three edits away (three letters too many) is still suggested, four is not.
        assert.equal(closestKnownType("aws:sns/topic:TopicXYZ"), "aws:sns/topic:Topic");
        assert.equal(closestKnownType("aws:sns/topic:TopicWXYZ"), undefined);
        assert.equal(closestKnownType("aws:sns/topic:TopiXxyz"), undefined, "one changed letter and three more: four edits");
        assert.equal(closestKnownType("random:index/randomPet:RandomPet"), undefined);
        // Types the rules name that no SDK lists as taggable are known too.
        assert.equal(closestKnownType("aws:iam/rolepolicy:RolePolicy"), "aws:iam/rolePolicy:RolePolicy");
        assert.equal(closestKnownType("aws:sqs/queuepolicy:QueuePolicy"), "aws:sqs/queuePolicy:QueuePolicy");
    });

    it("closestKnownType: the nearest of several candidates; on a tie the type the pack's rules name", () => {
        // One edit from the EKS cluster, two from ECS's, three from EMR's and RDS's.
        assert.equal(closestKnownType("aws:eks/cluster:Clustr"), "aws:eks/cluster:Cluster");
        assert.equal(closestKnownType("aws:rds/cluster:Clustr"), "aws:rds/cluster:Cluster");
        // One edit from both EKS's and ECS's cluster: EKS, which the pack's rules name.
        assert.equal(closestKnownType("aws:eXs/cluster:Cluster"), "aws:eks/cluster:Cluster");
    });

    it("coverageOf: each type once, checked with its rules, or unchecked with a suggestion where it looks misspelt", () => {
        const coverage = coverageOf([
            "aws:sns/topic:Topic",
            "aws:sns/topic:Topic",
            "aws:s3/BucketV2:BucketV2",
            "random:index/randomPet:RandomPet",
        ]);
        assert.deepEqual(Object.keys(coverage.checked), ["aws:sns/topic:Topic"]);
        assert.deepEqual(coverage.checked["aws:sns/topic:Topic"], rulesFor("aws:sns/topic:Topic"));
        assert.deepEqual(coverage.unchecked, {
            "aws:s3/BucketV2:BucketV2": { didYouMean: "aws:s3/bucketV2:BucketV2" },
            "random:index/randomPet:RandomPet": {},
        });
    });
});
