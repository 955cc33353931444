import { strict as assert } from "node:assert";
import type { PlanFile, PlannedResource } from "../../../../tools/offline/plan";
import { awsQuotas } from "../../../../tools/rehearse/checks/aws-quotas";
import { rehearsalContext } from "../../../../tools/rehearse/order";
import {
    AWS_TAG_RULES,
    IAM_COUNTS,
    IAM_POLICY_SIZE,
    iamPolicySize,
    s3BucketNameProblems,
    SERVICE_NAME_RULES,
    VPC_QUOTAS,
} from "../../../../policypack/lib/aws-quotas";
import { plannedResource } from "../../../helpers/planned-resource";

const res = (type: string, name: string, inputs: Record<string, unknown>): PlannedResource => plannedResource(type, name, inputs);
const run = (resources: PlannedResource[]) =>
    awsQuotas.run(rehearsalContext({ version: 1, project: "ciplatform", stack: "dev", resources } as unknown as PlanFile));

describe("rehearsal check: aws-quotas, names and counts (policypack/lib/aws-quotas.ts)", () => {
    describe(`S3 general purpose bucket names (${SERVICE_NAME_RULES.s3Bucket.source})`, () => {
        const rejected: Array<[string, string]> = [
            ["ab", "3 to 63"],
            ["a".repeat(64), "3 to 63"],
            ["Has-Upper", "only lowercase"],
            ["under_score", "only lowercase"],
            ["-starts-with-hyphen", "begin with a letter or digit"],
            ["ends-with-hyphen-", "end with a letter or digit"],
            ["two..dots", "two adjacent dots"],
            ["192.168.5.4", "IP address"],
            ["xn--bucket", "reserved prefix xn--"],
            ["sthree-bucket", "reserved prefix sthree-"],
            ["sthree-configurator-x", "reserved prefix sthree-"],
            ["amzn-s3-demo-bucket", "reserved prefix amzn-s3-demo-"],
            ["bucket-s3alias", "reserved suffix -s3alias"],
            ["bucket--ol-s3", "reserved suffix --ol-s3"],
            ["bucket.mrap", "reserved suffix .mrap"],
            ["bucket--x-s3", "reserved suffix --x-s3"],
            ["bucket--table-s3", "reserved suffix --table-s3"],
        ];
        for (const [name, why] of rejected) {
            it(`rejects ${JSON.stringify(name)} (${why})`, () => {
                const findings = run([res("aws:s3/bucketV2:BucketV2", "b", { bucket: name })]);
                assert.equal(findings.length, 1, JSON.stringify(findings));
                assert.match(findings[0].why, new RegExp(why.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
                assert.match(findings[0].why, /InvalidBucketName/);
                assert.equal(findings[0].source, SERVICE_NAME_RULES.s3Bucket.source);
            });
        }
        it("accepts names at the limits: 3 and 63 characters, dots and hyphens inside, a reserved word not at the reserved place", () => {
            for (const name of ["abc", "a".repeat(63), "cip-dev.dr-0123", "my-xn--bucket", "s3alias-bucket", "cip-dev-dr-table-s3"]) {
                assert.deepEqual(s3BucketNameProblems(name), [], name);
                assert.deepEqual(run([res("aws:s3/bucket:Bucket", "b", { bucket: name })]), [], name);
            }
        });
        it("judges a bucketPrefix by its length (37 + the provider's 26 characters), characters and reserved prefixes", () => {
            assert.deepEqual(run([res("aws:s3/bucketV2:BucketV2", "p", { bucketPrefix: `${"p".repeat(36)}-` })]), []);
            for (const prefix of ["p".repeat(38), "Upper-", "xn--p-", "amzn-s3-demo-"]) {
                assert.equal(run([res("aws:s3/bucketV2:BucketV2", "p", { bucketPrefix: prefix })]).length, 1, prefix);
            }
        });
    });

    describe("SQS, SNS and EKS names", () => {
        it("SQS: 80 characters, or a .fifo name of 75 + .fifo; not 81 or other characters", () => {
            assert.deepEqual(
                run([
                    res("aws:sqs/queue:Queue", "a", { name: "q".repeat(80) }),
                    res("aws:sqs/queue:Queue", "b", { name: `${"q".repeat(75)}.fifo` }),
                ]),
                [],
            );
            assert.equal(
                run([res("aws:sqs/queue:Queue", "a", { name: "q".repeat(81) }), res("aws:sqs/queue:Queue", "b", { name: "has.dot" })])
                    .length,
                2,
            );
        });
        it(`SNS (${SERVICE_NAME_RULES.snsTopic.source}): 256 characters pass, 257 and other characters fail`, () => {
            assert.deepEqual(run([res("aws:sns/topic:Topic", "t", { name: "t".repeat(256) })]), []);
            const findings = run([
                res("aws:sns/topic:Topic", "a", { name: "t".repeat(257) }),
                res("aws:sns/topic:Topic", "b", { name: "has space" }),
            ]);
            assert.equal(findings.length, 2);
            assert.ok(findings.every((f) => f.source === SERVICE_NAME_RULES.snsTopic.source));
        });
        it(`EKS (${SERVICE_NAME_RULES.eksCluster.source}): 100 characters starting alphanumeric pass; 101 fail`, () => {
            assert.deepEqual(run([res("aws:eks/cluster:Cluster", "c", { name: `c${"-".repeat(99)}` })]), []);
            assert.equal(run([res("aws:eks/cluster:Cluster", "c", { name: "c".repeat(101) })]).length, 1);
        });
    });

    describe(`tags (${AWS_TAG_RULES.source})`, () => {
        it("a key over 128 or a value over 256 characters fails; at the limits passes", () => {
            const at = { ["k".repeat(AWS_TAG_RULES.keyMaxLength)]: "v".repeat(AWS_TAG_RULES.valueMaxLength) };
            assert.deepEqual(run([res("aws:sqs/queue:Queue", "q", { tags: at })]), []);
            assert.equal(run([res("aws:sqs/queue:Queue", "q", { tags: { ["k".repeat(129)]: "v" } })]).length, 1);
            assert.equal(run([res("aws:sqs/queue:Queue", "q", { tags: { k: "v".repeat(257) } })]).length, 1);
        });
    });

    describe(`security group rules per direction (${VPC_QUOTAS.source})`, () => {
        it("counts a group's inline egress rules by CIDR: 61 fails, 60 passes", () => {
            const group = (n: number) =>
                res("aws:ec2/securityGroup:SecurityGroup", "sg", {
                    egress: [
                        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: Array.from({ length: n }, (_, i) => `10.${i}.0.0/16`) },
                    ],
                });
            assert.equal(run([group(61)]).filter((f) => /61 egress rules/.test(f.why)).length, 1);
            assert.deepEqual(run([group(60)]), []);
        });
    });
    describe("IAM counts and aggregates beyond roles' inline policies (policypack/lib/aws-quotas.ts IAM_COUNTS, IAM_POLICY_SIZE)", () => {
        /** A policy document of exactly `size` characters as IAM counts them (without white space). */
        const documentOf = (size: number): string => {
            const doc = (pad: string) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${pad}` }],
                });
            const base = iamPolicySize(doc("")) ?? 0;
            const out = doc("b".repeat(size - base));
            assert.equal(iamPolicySize(out), size);
            return out;
        };
        it(`a role with ${IAM_COUNTS.managedPoliciesPerRole + 1} managed policy attachments fails AttachRolePolicy; ${IAM_COUNTS.managedPoliciesPerRole} pass`, () => {
            const attachments = (n: number) =>
                Array.from({ length: n }, (_, i) =>
                    res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `a${i}`, {
                        role: "r",
                        policyArn: `arn:aws:iam::123456789012:policy/p${i}`,
                    }),
                );
            const over = run(attachments(IAM_COUNTS.managedPoliciesPerRole + 1));
            assert.equal(over.length, 1);
            assert.match(over[0].why, /^AttachRolePolicy: role r would have 11 managed policies/);
            assert.deepEqual(run(attachments(IAM_COUNTS.managedPoliciesPerRole)), []);
        });
        for (const [what, type, key, limit] of [
            ["user", "aws:iam/userPolicy:UserPolicy", "user", IAM_POLICY_SIZE.userInlineAggregate],
            ["group", "aws:iam/groupPolicy:GroupPolicy", "group", IAM_POLICY_SIZE.groupInlineAggregate],
        ] as const) {
            it(`a ${what}'s inline policies over ${limit} characters fail the put that crosses it; at ${limit} they pass`, () => {
                const puts = (second: number) => [
                    res(type, "first", { [key]: "e", policy: documentOf(limit - 200) }),
                    res(type, "second", { [key]: "e", policy: documentOf(second) }),
                ];
                const over = run(puts(201));
                assert.equal(over.length, 1);
                assert.match(over[0].why, new RegExp(`over the aggregate quota of ${limit}`));
                assert.equal(over[0].urn.split("::").pop(), "second");
                assert.deepEqual(run(puts(200)), []);
            });
        }
    });
});
