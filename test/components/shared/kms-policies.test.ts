/**
 * The key policies of components/shared/kms-policies.ts, built directly (no stack planned) and evaluated by the IAM
 * simulator: each statement lets its one purpose through, and the calls just outside it (another service, another
 * region, another account, use without the service, grants not for an AWS resource) are denied.
 */
import { strict as assert } from "node:assert";
import { ebsKeyPolicy, logsKeyPolicy, serviceKeyPolicy } from "../../../components/shared/kms-policies";
import type { PolicyDocument } from "../../../components/shared/iam-documents";
import { Decision, simulate } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const REGION = "eu-west-1";
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
/** The caller's own IAM policy allows every KMS call: the key policy alone decides. */
const ALLOW_KMS: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] };

function call(
    policy: PolicyDocument,
    action: string,
    principal: string,
    context: Record<string, string | string[]> = {},
    identity = true,
): Promise<Decision> {
    return simulate({ resourcePolicy: policy, identityPolicies: identity ? [ALLOW_KMS] : [], action, principal, resource: KEY, context });
}

function sids(policy: PolicyDocument): Array<string | undefined> {
    return policy.Statement.map((s) => s.Sid);
}

describe("KMS key policies (components/shared/kms-policies.ts)", () => {
    it("a service key: the account administers it, and uses it only through the one service, in this region, as this account", async () => {
        const policy = serviceKeyPolicy(ACCOUNT, REGION, "secretsmanager");
        assert.equal(policy.Version, "2012-10-17");
        assert.deepEqual(sids(policy), ["KeyAdministration", "UseViasecretsmanager"]);
        const via = { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com`, "kms:CallerAccount": ACCOUNT };
        assert.equal(await call(policy, "kms:PutKeyPolicy", ROLE), "Allowed");
        assert.equal(await call(policy, "kms:ScheduleKeyDeletion", ROLE), "Allowed");
        // The account root principal delegates to IAM: a role without an IAM policy that allows it gets nothing.
        assert.equal(await call(policy, "kms:PutKeyPolicy", ROLE, {}, false), "ImplicitlyDenied");
        assert.equal(await call(policy, "kms:Decrypt", ROLE, via), "Allowed");
        assert.equal(await call(policy, "kms:GenerateDataKey", ROLE, via), "Allowed");
        assert.equal(await call(policy, "kms:CreateGrant", ROLE, via), "Allowed");
        assert.equal(await call(policy, "kms:Decrypt", ROLE), "ImplicitlyDenied");
        assert.equal(
            await call(policy, "kms:Decrypt", ROLE, { ...via, "kms:ViaService": `s3.${REGION}.amazonaws.com` }),
            "ImplicitlyDenied",
        );
        assert.equal(
            await call(policy, "kms:Decrypt", ROLE, { ...via, "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" }),
            "ImplicitlyDenied",
        );
        assert.equal(await call(policy, "kms:Decrypt", ROLE, { ...via, "kms:CallerAccount": OTHER_ACCOUNT }), "ImplicitlyDenied");
        assert.equal(await call(policy, "kms:Decrypt", `arn:aws:iam::${OTHER_ACCOUNT}:role/app`, via), "ImplicitlyDenied");
        assert.equal(await call(policy, "kms:PutKeyPolicy", `arn:aws:iam::${OTHER_ACCOUNT}:role/app`), "ImplicitlyDenied");
        // Administration is not use, and use is not administration.
        assert.equal(await call(policy, "kms:Encrypt", ROLE), "ImplicitlyDenied");
        assert.equal(await call(policy, "kms:PutKeyPolicy", ROLE, via, true), "Allowed");
        assert.equal(await call(serviceKeyPolicy(ACCOUNT, REGION, "s3"), "kms:Decrypt", ROLE, via), "ImplicitlyDenied");
    });

    it("the logs key: CloudWatch Logs of this region uses it for this account's log groups only", async () => {
        const policy = logsKeyPolicy(ACCOUNT, REGION);
        assert.deepEqual(sids(policy), ["KeyAdministration", "CloudWatchLogsUse"]);
        // The simulator drops the kms:EncryptionContext:<key> keys it does not know, so the logs statement is read, not simulated.
        assert.deepEqual(policy.Statement[1], {
            Sid: "CloudWatchLogsUse",
            Effect: "Allow",
            Principal: { Service: `logs.${REGION}.amazonaws.com` },
            Action: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"],
            Resource: "*",
            Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*` } },
        });
        const group = { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/eks/cip-dev/cluster` };
        assert.equal(await call(policy, "kms:Decrypt", ROLE, group), "ImplicitlyDenied");
        assert.equal(await call(policy, "kms:PutKeyPolicy", ROLE), "Allowed");
    });

    it("the EBS key: any principal of this account through EC2 here, grants only for AWS resources, and Auto Scaling's linked role", async () => {
        const policy = ebsKeyPolicy(ACCOUNT, REGION);
        assert.deepEqual(sids(policy), [
            "KeyAdministration",
            "EbsUseViaEc2InAccount",
            "EbsGrantsViaEc2InAccount",
            "AutoScalingServiceLinkedRoleUse",
            "AutoScalingServiceLinkedRoleGrants",
        ]);
        const viaEc2 = { "kms:ViaService": `ec2.${REGION}.amazonaws.com`, "kms:CallerAccount": ACCOUNT };
        const karpenter = `arn:aws:iam::${ACCOUNT}:role/cip-dev-karpenter`;
        assert.equal(await call(policy, "kms:GenerateDataKeyWithoutPlaintext", karpenter, viaEc2), "Allowed");
        assert.equal(await call(policy, "kms:CreateGrant", karpenter, viaEc2), "Allowed");
        assert.equal(await call(policy, "kms:Decrypt", karpenter), "ImplicitlyDenied");
        assert.equal(
            await call(policy, "kms:Decrypt", karpenter, { ...viaEc2, "kms:ViaService": "ec2.us-east-1.amazonaws.com" }),
            "ImplicitlyDenied",
        );
        assert.equal(await call(policy, "kms:Decrypt", karpenter, { ...viaEc2, "kms:CallerAccount": OTHER_ACCOUNT }), "ImplicitlyDenied");
        assert.equal(await call(policy, "kms:ListGrants", karpenter, { ...viaEc2, "kms:GrantIsForAWSResource": "true" }), "Allowed");
        assert.equal(await call(policy, "kms:RevokeGrant", karpenter, { ...viaEc2, "kms:GrantIsForAWSResource": "true" }), "Allowed");
        // Without its own IAM policy (the administration statement delegates to IAM), only the grants statement answers.
        assert.equal(await call(policy, "kms:ListGrants", karpenter, viaEc2, false), "ImplicitlyDenied");
        assert.equal(await call(policy, "kms:ListGrants", karpenter, { ...viaEc2, "kms:GrantIsForAWSResource": "true" }, false), "Allowed");
        assert.equal(await call(policy, "kms:ListGrants", karpenter, { "kms:GrantIsForAWSResource": "true" }, false), "ImplicitlyDenied");

        const autoscaling = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
        assert.equal(await call(policy, "kms:Decrypt", autoscaling, {}, false), "Allowed");
        assert.equal(await call(policy, "kms:GenerateDataKeyWithoutPlaintext", autoscaling, {}, false), "Allowed");
        assert.equal(await call(policy, "kms:CreateGrant", autoscaling, { "kms:GrantIsForAWSResource": "true" }, false), "Allowed");
        assert.equal(await call(policy, "kms:CreateGrant", autoscaling, {}, false), "ImplicitlyDenied");
        assert.equal(await call(policy, "kms:PutKeyPolicy", autoscaling, {}, false), "ImplicitlyDenied");
        assert.equal(await call(policy, "kms:Decrypt", karpenter, {}, false), "ImplicitlyDenied");
    });
});
