/**
 * Companion links (policypack/lib/companions.ts) called directly: a companion (a bucket's encryption, a secret's
 * version) finds the resource it configures by dependency first, then by parent, then by the name, id or ARN it names.
 */
import { strict as assert } from "node:assert";
import type { PolicyResource } from "@pulumi/policy";
import { companionIndex, targetOf } from "../../policypack/lib/companions";

const BUCKET = "aws:s3/bucketV2:BucketV2";
const resource = (name: string, props: Record<string, unknown>, extra: Partial<PolicyResource> = {}): PolicyResource =>
    ({ type: BUCKET, name, urn: `urn:${name}`, props, dependencies: [], propertyDependencies: {}, ...extra }) as unknown as PolicyResource;

describe("companion links (lib/companions)", () => {
    const a = resource("a", { bucket: "bucket-a", arn: "arn:aws:s3:::bucket-a" });
    const b = resource("b", { bucket: "bucket-b", id: "" });
    const c = resource("c", { bucket: 42 });
    const index = companionIndex([a, b, c], ["bucket", "id", "arn"]);

    it("indexes each target by every reference input that is a non-empty string", () => {
        assert.equal(index.byReference.get("bucket-a"), a);
        assert.equal(index.byReference.get("arn:aws:s3:::bucket-a"), a);
        assert.equal(index.byReference.get("bucket-b"), b);
        assert.equal(index.byReference.has(""), false, "an empty id names nothing");
        assert.deepEqual([...index.byReference.keys()].sort(), ["arn:aws:s3:::bucket-a", "bucket-a", "bucket-b"]);
        assert.deepEqual([...index.targets], [a, b, c]);
    });

    it("finds the target by dependency, then parent, then the reference the companion names", () => {
        const other = resource("other", {});
        const companion = (extra: Partial<PolicyResource>, bucket?: unknown) => resource("sse", { bucket }, extra);
        assert.equal(targetOf(companion({ dependencies: [other, b] }, "bucket-a"), index, "bucket"), b, "a dependency first");
        assert.equal(targetOf(companion({ dependencies: [other], parent: b }, "bucket-a"), index, "bucket"), b, "then the parent");
        assert.equal(targetOf(companion({ dependencies: [other], parent: other }, "bucket-a"), index, "bucket"), a, "then the name");
        assert.equal(targetOf(companion({}, "arn:aws:s3:::bucket-a"), index, "bucket"), a, "or the ARN");
        assert.equal(targetOf(companion({}, "bucket-x"), index, "bucket"), undefined);
        assert.equal(targetOf(companion({}, undefined), index, "bucket"), undefined);
        assert.equal(targetOf(companion({}, ["bucket-a"]), index, "bucket"), undefined, "a list names no single bucket");
    });
});
