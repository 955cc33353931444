/**
 * Issue #22 item 1: Karpenter (since v1.7; pinned v1.14.1) creates its instance profiles under
 * `/karpenter/<region>/<cluster>/<nodeclass uid>/` (karpenter-provider-aws
 * pkg/providers/instanceprofile/instanceprofile.go `Create`, called from
 * pkg/controllers/nodeclass/instanceprofile.go). Its role and the workload boundary must allow
 * every call on that ARN, and the deploy role must detach the node role from it on destroy.
 */
import { strict as assert } from "node:assert";
import { deployPolicyDocuments } from "../../../components/foundation/deploy-permissions";
import { workloadBoundaryDocument } from "../../../components/foundation/workload-boundary";
import { karpenterControllerPolicies, karpenterInstanceProfilePath } from "../../../components/karpenter/policy";
import { evaluateIam } from "../../../tools/rehearse/iam-eval";
import { simulate } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const CLUSTER = "cip-dev";
const PROFILE = `arn:aws:iam::${ACCOUNT}:instance-profile${karpenterInstanceProfilePath(REGION, CLUSTER)}6f1c2a9e-1b2c-4d5e-8f90-123456789abc/${CLUSTER}_1234567890123456789`;
const CONTROLLER = `arn:aws:sts::${ACCOUNT}:assumed-role/cip-dev-karpenter-controller/session`;
const boundary = workloadBoundaryDocument({ accountId: ACCOUNT, region: REGION, prefix: "cip-dev" });
const controller = Object.values(
    karpenterControllerPolicies({
        region: REGION,
        accountId: ACCOUNT,
        clusterName: CLUSTER,
        nodeRoleArn: `arn:aws:iam::${ACCOUNT}:role/cip-dev-karpenter-node`,
        interruptionQueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:cip-dev`,
        volumeKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/abc`,
    }),
);
/** The tags `EC2NodeClass.InstanceProfileTags` puts on the profile (pkg/apis/v1/ec2nodeclass.go, v1.14.1). */
const tags = {
    [`kubernetes.io/cluster/${CLUSTER}`]: "owned",
    "eks:eks-cluster-name": CLUSTER,
    "karpenter.k8s.aws/ec2nodeclass": "general",
    "topology.kubernetes.io/region": REGION,
};
const requestTags = Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v]));
const resourceTags = Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));

const calls: Array<[string, Record<string, string | string[]>]> = [
    ["iam:CreateInstanceProfile", { ...requestTags, "aws:TagKeys": Object.keys(tags) }],
    ["iam:TagInstanceProfile", { ...requestTags, ...resourceTags, "aws:TagKeys": Object.keys(tags) }],
    ["iam:GetInstanceProfile", resourceTags],
    ["iam:AddRoleToInstanceProfile", resourceTags],
    ["iam:RemoveRoleFromInstanceProfile", resourceTags],
    ["iam:DeleteInstanceProfile", resourceTags],
];

describe("Karpenter instance profiles under their path (karpenter-provider-aws v1.14.1 pkg/providers/instanceprofile/instanceprofile.go)", () => {
    for (const [action, context] of calls) {
        it(`the controller may ${action} on ${PROFILE.split(":").pop()} under the workload boundary`, async () => {
            const request = { action, resource: PROFILE, principalArn: CONTROLLER, context };
            const ours = evaluateIam(request, { identity: controller, boundary });
            assert.equal(ours.decision, "Allowed", ours.reason);
            assert.equal(
                await simulate({
                    identityPolicies: controller,
                    permissionsBoundary: boundary,
                    action,
                    principal: CONTROLLER,
                    resource: PROFILE,
                    context,
                }),
                "Allowed",
            );
        });
    }

    it("the boundary still refuses profiles of another cluster's path", () => {
        const other = PROFILE.replace(`/karpenter/${REGION}/${CLUSTER}/`, `/karpenter/${REGION}/cip-prod/`);
        const ours = evaluateIam(
            { action: "iam:DeleteInstanceProfile", resource: other, principalArn: CONTROLLER, context: resourceTags },
            { identity: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:*", Resource: "*" }] }], boundary },
        );
        assert.equal(ours.decision, "ImplicitlyDenied");
    });

    it("the deploy role may detach the node role from Karpenter's profiles (pulumi destroy of the node role)", async () => {
        const deploy = deployPolicyDocuments({
            region: REGION,
            accountId: ACCOUNT,
            prefix: "cip-dev",
            environment: "dev",
            environmentTagKey: "environment",
        });
        const principal = `arn:aws:sts::${ACCOUNT}:assumed-role/cip-deployer-deploy-dev/session`;
        const ours = evaluateIam(
            { action: "iam:RemoveRoleFromInstanceProfile", resource: PROFILE, principalArn: principal },
            { identity: deploy },
        );
        assert.equal(ours.decision, "Allowed", ours.reason);
        assert.equal(
            await simulate({ identityPolicies: deploy, action: "iam:RemoveRoleFromInstanceProfile", principal, resource: PROFILE }),
            "Allowed",
        );
    });
});
