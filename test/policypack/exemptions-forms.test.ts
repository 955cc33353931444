/**
 * The exemptions report (policypack/exemptions.ts) called directly: an exempted finding is reported with
 * the exemption's reason whether the exemption names the resource or a tag it carries, alone or among
 * other exemptions, for resource rules and for stack rules.
 */
import { strict as assert } from "node:assert";
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { Exemption } from "../../policypack/config";
import { ACCESS_KEY_TYPE } from "../../policypack/credentials";
import { exemptionsReport } from "../../policypack/exemptions";
import { resourceRules, stackRules } from "../../policypack/policies";
import { policyResource } from "../helpers/policy-resource";

const resource = (type: string, name: string, props: Record<string, unknown>, extra: Partial<PolicyResource> = {}): PolicyResource =>
    policyResource(type, name, { props, ...extra });

/** What the report says for these resources under these exemptions. */
function reported(resources: PolicyResource[], exemptions: Exemption[]): string[] {
    const lines: string[] = [];
    const policy = exemptionsReport(
        () => resourceRules,
        () => stackRules,
    );
    const args = { resources, getConfig: () => ({ exemptions }), stackTags: new Map() } as unknown as StackValidationArgs;
    void policy.validateStack(args, (message) => lines.push(String(message)));
    return lines;
}

const TOPIC = "aws:sns/topic:Topic";
const plain =
    'exempted from sns-topic-require-kms (legacy topic): topic "t" is not encrypted: set kmsMasterKeyId to a customer-managed KMS key.';

describe("exemptions report by form (policypack/exemptions.ts)", () => {
    it("reports a finding exempted by a tag the resource carries, alone or among exemptions by name", () => {
        const byTag: Exemption = { tag: { key: "exempt", value: "yes" }, policies: ["sns-topic-require-kms"], reason: "legacy topic" };
        const topic = resource(TOPIC, "t", { tags: { exempt: "yes" } });
        assert.deepEqual(reported([topic], [byTag]), [plain]);
        assert.deepEqual(reported([topic], [{ resourceName: "other", reason: "another resource" }, byTag]), [plain]);
        assert.deepEqual(reported([resource(TOPIC, "t", { tags: { exempt: "no" } })], [byTag]), []);
    });

    it("reports a finding exempted by name, only for the policies the exemption lists", () => {
        // Tagged as the org requires: only the encryption rule has a finding to exempt.
        const topic = resource(TOPIC, "t", { tags: { environment: "dev", owner: "team", "cost-center": "cc-1", "managed-by": "pulumi" } });
        assert.deepEqual(reported([topic], [{ resourceName: "t", reason: "legacy topic" }]), [plain]);
        assert.deepEqual(reported([topic], [{ resourceName: "t*", policies: ["sns-topic-require-kms"], reason: "legacy topic" }]), [plain]);
        assert.deepEqual(reported([topic], [{ resourceName: "t", policies: ["sqs-queue-require-encryption"], reason: "x" }]), []);
        assert.deepEqual(reported([topic], []), [], "no exemption, nothing to report");
    });

    it("reports a stack rule's finding the exemption covers, for the policies it lists and the resource it names", () => {
        const key = resource(ACCESS_KEY_TYPE, "ci-user", {});
        const secret = resource("kubernetes:core/v1:Secret", "creds", {}, {
            propertyDependencies: { data: [key] },
        } as Partial<PolicyResource>);
        const exemption: Exemption = { resourceName: "creds", policies: ["aws-iam-deny-access-key-in-kubernetes"], reason: "vendor tool" };
        const lines = reported([key, secret], [exemption]);
        assert.equal(lines.length, 1, lines.join("\n"));
        assert.match(
            lines[0],
            /^exempted from aws-iam-deny-access-key-in-kubernetes \(vendor tool\): Secret "creds" carries the static access key/,
        );
        assert.deepEqual(reported([key, secret], [{ ...exemption, policies: ["sns-topic-require-kms"] }]), []);
        assert.deepEqual(reported([key, secret], [{ ...exemption, resourceName: "other" }]), []);
    });
});
