/**
 * The AWS Load Balancer Controller's IAM against its reference policy (aws-load-balancer-controller
 * v3.5.0 docs/install/iam_policy.json) and its chart values (chart 3.5.0 templates/webhook.yaml).
 */
import { strict as assert } from "node:assert";
import { buildLoadBalancerControllerValues } from "../../../components/ingress/ingress";
import { CLUSTER_TAG, loadBalancerControllerPermissions } from "../../../components/ingress/policy";
import { evaluateIam } from "../../../tools/rehearse/iam-eval";
import { simulate } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const CONTROLLER = `arn:aws:sts::${ACCOUNT}:assumed-role/cip-dev-ingress-controller/session`;
const policy = loadBalancerControllerPermissions(REGION, ACCOUNT, "vpc-0abc", "cip-dev");
const LB = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/k8s-jenkins/0123456789abcdef`;
const SG = `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0123456789abcdef0`;

async function both(action: string, resource: string, context: Record<string, string | string[]>): Promise<string> {
    const ours = evaluateIam({ action, resource, principalArn: CONTROLLER, context }, { identity: [policy] }).decision;
    const theirs = await simulate({ identityPolicies: [policy], action, principal: CONTROLLER, resource, context });
    assert.equal(ours, theirs, `evaluator and simulator disagree on ${action}`);
    return ours;
}

describe("AWS Load Balancer Controller", () => {
    describe("tag changes keep the reference policy's cluster-ownership guard (issue #22 item 11)", () => {
        const owned = { [`aws:ResourceTag/${CLUSTER_TAG}`]: "cip-dev" };
        for (const [action, resource] of [
            ["elasticloadbalancing:AddTags", LB],
            ["ec2:CreateTags", SG],
        ] as const) {
            it(`${action} of an ordinary tag on its own resource is allowed`, async () => {
                assert.equal(
                    await both(action, resource, {
                        ...owned,
                        "aws:RequestTag/ingress.k8s.aws/stack": "jenkins/jenkins",
                        "aws:TagKeys": ["ingress.k8s.aws/stack"],
                    }),
                    "Allowed",
                );
            });
            it(`${action} that rewrites the ownership tag ${CLUSTER_TAG} is denied`, async () => {
                assert.equal(
                    await both(action, resource, {
                        ...owned,
                        [`aws:RequestTag/${CLUSTER_TAG}`]: "other-cluster",
                        "aws:TagKeys": [CLUSTER_TAG],
                    }),
                    "ImplicitlyDenied",
                );
            });
            it(`${action} on a resource it does not own is denied`, async () => {
                assert.equal(await both(action, resource, { "aws:RequestTag/team": "x", "aws:TagKeys": ["team"] }), "ImplicitlyDenied");
            });
        }
    });

    it("installs no Service mutator webhook: it would reject every Service while the controller is not running (chart 3.5.0 templates/webhook.yaml, issue #4140)", () => {
        const values = buildLoadBalancerControllerValues({
            clusterName: "cip-dev",
            region: REGION,
            vpcId: "vpc-0abc",
            roleArn: "arn:aws:iam::123456789012:role/x",
        });
        assert.equal(values.enableServiceMutatorWebhook, false);
    });
});
