/**
 * The AWS Load Balancer Controller's permissions (components/ingress/policy.ts) built directly and simulated, statement by
 * statement, against the scoping of its reference policy at the pinned chart's version (kubernetes-sigs/aws-load-balancer-controller
 * v3.5.0 docs/install/iam_policy.json, chart 3.5.0): reads where IAM has no resource scope; changes only to load balancers,
 * target groups and security groups tagged `elbv2.k8s.aws/cluster` with this cluster's name, in this VPC, region and account.
 * The same calls on another cluster's, an untagged, another VPC's or another region's resources are Denied.
 */
import { strict as assert } from "node:assert";
import { CLUSTER_TAG, loadBalancerControllerPermissions } from "../../../components/ingress/policy";
import { evaluateIam } from "../../../tools/rehearse/iam-eval";
import { Decision, simulate } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const REGION = "eu-west-1";
const OTHER_REGION = "us-east-1";
const VPC = "vpc-0abc";
const CLUSTER = "cip-dev";
const CONTROLLER = `arn:aws:sts::${ACCOUNT}:assumed-role/cip-dev-ingress-controller/session`;

type Context = Record<string, string | string[]>;

/** Built per call: a document built while mocha loads the file would hide every mutant (docs/mutation-testing.md). */
const permissions = () => loadBalancerControllerPermissions(REGION, ACCOUNT, VPC, CLUSTER);

/**
 * The simulator, and the project's evaluator (tools/rehearse/iam-eval.ts) where the simulator's data knows no resource
 * type for the ARN (elasticloadbalancing:AddTags/RemoveTags on target groups and listeners: its data merges ELB v1 and v2).
 */
async function call(action: string, resource: string, context: Context = {}): Promise<Decision> {
    try {
        return await simulate({ identityPolicies: [permissions()], principal: CONTROLLER, action, resource, context });
    } catch (e) {
        if (!/no\.resource\.types/.test(String(e))) {
            throw e;
        }
        return evaluateIam({ action, resource, principalArn: CONTROLLER, context }, { identity: [permissions()] }).decision as Decision;
    }
}
async function expectDecision(expected: Decision, action: string, resource: string, context: Context = {}, why = ""): Promise<void> {
    assert.equal(await call(action, resource, context), expected, `${action} on ${resource} ${JSON.stringify(context)} ${why}`);
}
const allowed = (action: string, resource: string, context?: Context, why?: string) =>
    expectDecision("Allowed", action, resource, context, why);
const denied = (action: string, resource: string, context?: Context, why?: string) =>
    expectDecision("ImplicitlyDenied", action, resource, context, why);

const elb = (resource: string, region = REGION, account = ACCOUNT) => `arn:aws:elasticloadbalancing:${region}:${account}:${resource}`;
const ec2 = (resource: string, region = REGION, account = ACCOUNT) => `arn:aws:ec2:${region}:${account}:${resource}`;
const ALB = elb("loadbalancer/app/k8s-jenkins-0123/0123456789abcdef");
const NLB = elb("loadbalancer/net/k8s-gitlab-0123/0123456789abcdef");
const TG = elb("targetgroup/k8s-jenkins-0123/0123456789abcdef");
const SG = ec2("security-group/sg-0123456789abcdef0");
const owned = (cluster = CLUSTER): Context => ({ [`aws:ResourceTag/${CLUSTER_TAG}`]: cluster });
/** pkg/deploy/tracking/provider.go (v3.5.0): `elbv2.k8s.aws/cluster: <cluster>` and the stack tags on everything it creates. */
const creationTags = (cluster = CLUSTER): Context => ({
    [`aws:RequestTag/${CLUSTER_TAG}`]: cluster,
    "aws:RequestTag/ingress.k8s.aws/stack": "jenkins/jenkins",
    "aws:TagKeys": [CLUSTER_TAG, "ingress.k8s.aws/stack"],
});
const ordinaryTag: Context = { "aws:RequestTag/ingress.k8s.aws/resource": "LoadBalancer", "aws:TagKeys": ["ingress.k8s.aws/resource"] };

describe("AWS Load Balancer Controller permissions (components/ingress/policy.ts, scoped as aws-load-balancer-controller v3.5.0 docs/install/iam_policy.json)", () => {
    it("names its statements for what they allow", () => {
        assert.equal(CLUSTER_TAG, "elbv2.k8s.aws/cluster");
        const policy = permissions();
        assert.equal(policy.Version, "2012-10-17");
        assert.deepEqual(
            policy.Statement.map((s) => s.Sid),
            [
                "ElbServiceLinkedRole",
                "Discover",
                "SecurityGroupsOfTheVpc",
                "ReadCertificates",
                "CreateSecurityGroupsInTheVpc",
                "CreateSecurityGroupsInTheVpcNew",
                "TagNewSecurityGroups",
                "TagOwnSecurityGroups",
                "DeleteOwnSecurityGroups",
                "OpenSecurityGroupsToLoadBalancers",
                "CreateTaggedLoadBalancers",
                "TagOnCreate",
                "TagOwnLoadBalancers",
                "ChangeOwnLoadBalancers",
                "ListenersAndRules",
                "TagListeners",
                "Targets",
            ],
        );
        assert.ok(policy.Statement.every((s) => s.Effect === "Allow"));
    });

    it("creates only ELB's service-linked role", async () => {
        const slr = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`;
        await allowed("iam:CreateServiceLinkedRole", slr, { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" });
        await denied("iam:CreateServiceLinkedRole", slr, { "iam:AWSServiceName": "autoscaling.amazonaws.com" });
        await denied("iam:CreateServiceLinkedRole", slr, {}, "no service named");
        await denied(
            "iam:CreateServiceLinkedRole",
            `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
            { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" },
        );
        await denied("iam:CreateServiceLinkedRole", slr.replace(ACCOUNT, OTHER_ACCOUNT), {
            "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com",
        });
    });

    it("discovers with the reference policy's read actions, and no others", async () => {
        const reads = [
            "ec2:DescribeAccountAttributes",
            "ec2:DescribeAddresses",
            "ec2:DescribeAvailabilityZones",
            "ec2:DescribeInternetGateways",
            "ec2:DescribeVpcs",
            "ec2:DescribeVpcPeeringConnections",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeInstances",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeTags",
            "ec2:DescribeCoipPools",
            "ec2:DescribeRouteTables",
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeListenerCertificates",
            "elasticloadbalancing:DescribeSSLPolicies",
            "elasticloadbalancing:DescribeRules",
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetGroupAttributes",
            "elasticloadbalancing:DescribeTargetHealth",
            "elasticloadbalancing:DescribeTags",
            "elasticloadbalancing:DescribeTrustStores",
            "elasticloadbalancing:DescribeListenerAttributes",
            "acm:ListCertificates",
        ];
        for (const action of reads) {
            await allowed(action, "*");
        }
        // WAF, Shield and Cognito are off in the chart values: the reference policy's reads of them are left out.
        for (const action of [
            "wafv2:GetWebACL",
            "shield:GetSubscriptionState",
            "cognito-idp:DescribeUserPoolClient",
            "ec2:DescribeVolumes",
        ]) {
            await denied(action, "*");
        }
    });

    it("lists the security groups of its VPC only", async () => {
        await allowed("ec2:GetSecurityGroupsForVpc", ec2(`vpc/${VPC}`));
        await denied("ec2:GetSecurityGroupsForVpc", ec2("vpc/vpc-0other"));
        await denied("ec2:GetSecurityGroupsForVpc", ec2(`vpc/${VPC}`, OTHER_REGION));
    });

    it("reads only certificates tagged for this cluster, here", async () => {
        const cert = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
        await allowed("acm:DescribeCertificate", cert, owned());
        await denied("acm:DescribeCertificate", cert, owned("cip-prod"), "another cluster's");
        await denied("acm:DescribeCertificate", cert, {}, "untagged");
        await denied("acm:DescribeCertificate", cert.replace(REGION, OTHER_REGION), owned(), "another region");
        await denied("acm:DescribeCertificate", cert.replace(ACCOUNT, OTHER_ACCOUNT), owned(), "another account");
    });

    describe("security groups (pkg/deploy/ec2/security_group_manager.go, pkg/networking/backend_sg_provider.go)", () => {
        it("creates groups only in its VPC, tagged for this cluster", async () => {
            await allowed("ec2:CreateSecurityGroup", ec2(`vpc/${VPC}`));
            await denied("ec2:CreateSecurityGroup", ec2("vpc/vpc-0other"), {}, "another VPC");
            await denied("ec2:CreateSecurityGroup", ec2(`vpc/${VPC}`, OTHER_REGION), {}, "another region");
            await allowed("ec2:CreateSecurityGroup", SG, creationTags());
            await denied("ec2:CreateSecurityGroup", SG, creationTags("cip-prod"), "tagged for another cluster");
            await denied("ec2:CreateSecurityGroup", SG, {}, "untagged");
            await denied("ec2:CreateSecurityGroup", ec2("security-group/sg-0123", OTHER_REGION), creationTags(), "another region");
        });

        it("tags a group when it creates it, only with the cluster tag (CreateAction CreateSecurityGroup)", async () => {
            await allowed("ec2:CreateTags", SG, { ...creationTags(), "ec2:CreateAction": "CreateSecurityGroup" });
            await denied("ec2:CreateTags", SG, { ...creationTags(), "ec2:CreateAction": "RunInstances" }, "another create");
            await denied("ec2:CreateTags", SG, { ...ordinaryTag, "ec2:CreateAction": "CreateSecurityGroup" }, "no cluster tag");
            await denied("ec2:CreateTags", ec2("security-group/sg-0123", OTHER_REGION), {
                ...creationTags(),
                "ec2:CreateAction": "CreateSecurityGroup",
            });
        });

        it("changes the tags of its own groups, never the ownership tag, and deletes only its own groups", async () => {
            for (const action of ["ec2:CreateTags", "ec2:DeleteTags"]) {
                await allowed(action, SG, { ...owned(), ...ordinaryTag });
                await denied(action, SG, { ...owned("cip-prod"), ...ordinaryTag }, "another cluster's group");
                await denied(action, SG, ordinaryTag, "an untagged group");
                await denied(action, SG, { ...owned(), ...creationTags("cip-prod") }, "moving it to another cluster");
                await denied(action, ec2("security-group/sg-0123", OTHER_REGION), { ...owned(), ...ordinaryTag }, "another region");
            }
            // A removal names only keys (no aws:RequestTag): removing the ownership tag would take the group from the cluster.
            await denied("ec2:DeleteTags", SG, { ...owned(), "aws:TagKeys": [CLUSTER_TAG] }, "removing the ownership tag");
            await denied("ec2:DeleteTags", SG, { ...owned(), "aws:TagKeys": ["ingress.k8s.aws/resource", CLUSTER_TAG] });
            await allowed("ec2:DeleteTags", SG, { ...owned(), "aws:TagKeys": ["ingress.k8s.aws/resource"] });
            await allowed("ec2:DeleteSecurityGroup", SG, owned());
            await denied("ec2:DeleteSecurityGroup", SG, owned("cip-prod"), "another cluster's group");
            await denied("ec2:DeleteSecurityGroup", SG, {}, "an untagged group");
            await denied("ec2:DeleteSecurityGroup", ec2("security-group/sg-0123", OTHER_REGION), owned(), "another region");
        });

        it("opens and closes rules on groups of its VPC only (the nodes' group too)", async () => {
            const inVpc = { "ec2:Vpc": ec2(`vpc/${VPC}`) };
            for (const action of ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"]) {
                await allowed(action, SG, inVpc);
                await denied(action, SG, { "ec2:Vpc": ec2("vpc/vpc-0other") }, "another VPC's group");
                await denied(action, SG, {}, "no VPC");
                await denied(action, ec2("security-group/sg-0123", OTHER_REGION), inVpc, "another region");
            }
            await denied("ec2:AuthorizeSecurityGroupEgress", SG, inVpc, "egress rules are not the controller's");
        });
    });

    describe("load balancers and target groups (pkg/deploy/elbv2)", () => {
        it("creates load balancers and target groups only tagged for this cluster", async () => {
            const creations: Array<[string, string]> = [
                ["elasticloadbalancing:CreateLoadBalancer", ALB],
                ["elasticloadbalancing:CreateLoadBalancer", NLB],
                ["elasticloadbalancing:CreateTargetGroup", TG],
            ];
            for (const [action, resource] of creations) {
                await allowed(action, resource, creationTags());
                await denied(action, resource, creationTags("cip-prod"), "tagged for another cluster");
                await denied(action, resource, ordinaryTag, "without the cluster tag");
                await denied(action, resource.replace(REGION, OTHER_REGION), creationTags(), "another region");
                await denied(action, resource.replace(ACCOUNT, OTHER_ACCOUNT), creationTags(), "another account");
            }
            await denied("elasticloadbalancing:CreateLoadBalancer", elb("loadbalancer/gwy/k8s-x/0123"), creationTags(), "no gateway LBs");
        });

        it("tags load balancers and target groups when it creates them (CreateAction CreateLoadBalancer, CreateTargetGroup)", async () => {
            const cases: Array<[string, string]> = [
                [ALB, "CreateLoadBalancer"],
                [NLB, "CreateLoadBalancer"],
                [TG, "CreateTargetGroup"],
            ];
            for (const [resource, createAction] of cases) {
                await allowed("elasticloadbalancing:AddTags", resource, {
                    ...creationTags(),
                    "elasticloadbalancing:CreateAction": createAction,
                });
                await denied("elasticloadbalancing:AddTags", resource, {
                    ...creationTags(),
                    "elasticloadbalancing:CreateAction": "CreateListener",
                });
                await denied("elasticloadbalancing:AddTags", resource, {
                    ...ordinaryTag,
                    "elasticloadbalancing:CreateAction": createAction,
                });
            }
        });

        it("changes the tags of its own load balancers and target groups, never the ownership tag", async () => {
            for (const resource of [ALB, NLB, TG]) {
                for (const action of ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"]) {
                    await allowed(action, resource, { ...owned(), ...ordinaryTag });
                    await denied(action, resource, { ...owned("cip-prod"), ...ordinaryTag }, "another cluster's");
                    await denied(action, resource, ordinaryTag, "untagged");
                    await denied(action, resource, { ...owned(), ...creationTags("cip-prod") }, "moving it to another cluster");
                    await denied(action, resource.replace(REGION, OTHER_REGION), { ...owned(), ...ordinaryTag }, "another region");
                }
                await denied(
                    "elasticloadbalancing:RemoveTags",
                    resource,
                    { ...owned(), "aws:TagKeys": [CLUSTER_TAG] },
                    "the ownership tag",
                );
            }
        });

        it("modifies and deletes only its own load balancers and target groups", async () => {
            const changes: Array<[string, string]> = [
                ["elasticloadbalancing:ModifyLoadBalancerAttributes", ALB],
                ["elasticloadbalancing:ModifyLoadBalancerAttributes", NLB],
                ["elasticloadbalancing:SetIpAddressType", ALB],
                ["elasticloadbalancing:SetSecurityGroups", NLB],
                ["elasticloadbalancing:SetSubnets", ALB],
                ["elasticloadbalancing:DeleteLoadBalancer", NLB],
                ["elasticloadbalancing:ModifyTargetGroup", TG],
                ["elasticloadbalancing:ModifyTargetGroupAttributes", TG],
                ["elasticloadbalancing:DeleteTargetGroup", TG],
            ];
            for (const [action, resource] of changes) {
                await allowed(action, resource, owned());
                await denied(action, resource, owned("cip-prod"), "another cluster's");
                await denied(action, resource, {}, "untagged");
                await denied(action, resource.replace(REGION, OTHER_REGION), owned(), "another region");
            }
        });

        it("registers targets only in its own target groups (TargetGroupBinding)", async () => {
            for (const action of ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"]) {
                await allowed(action, TG, owned());
                await denied(action, TG, owned("cip-prod"), "another cluster's target group");
                await denied(action, TG, {}, "an untagged target group");
                await denied(action, TG.replace(REGION, OTHER_REGION), owned(), "another region");
            }
        });
    });

    describe("listeners and rules (no ownership tag in the reference policy: scoped to this account and region)", () => {
        const listener = (kind: "app" | "net") => elb(`listener/${kind}/k8s-jenkins-0123/0123456789abcdef/fedcba9876543210`);
        const rule = (kind: "app" | "net") =>
            elb(`listener-rule/${kind}/k8s-jenkins-0123/0123456789abcdef/fedcba9876543210/0011223344556677`);

        it("creates, changes and deletes listeners and rules of application and network load balancers here", async () => {
            const calls: Array<[string, (kind: "app" | "net") => string]> = [
                ["elasticloadbalancing:CreateListener", (kind) => (kind === "app" ? ALB : NLB)],
                ["elasticloadbalancing:DeleteListener", listener],
                ["elasticloadbalancing:CreateRule", listener],
                ["elasticloadbalancing:DeleteRule", rule],
                ["elasticloadbalancing:ModifyListener", listener],
                ["elasticloadbalancing:AddListenerCertificates", listener],
                ["elasticloadbalancing:RemoveListenerCertificates", listener],
                ["elasticloadbalancing:ModifyRule", rule],
                ["elasticloadbalancing:SetRulePriorities", rule],
                ["elasticloadbalancing:ModifyListenerAttributes", listener],
            ];
            for (const [action, resource] of calls) {
                for (const kind of ["app", "net"] as const) {
                    await allowed(action, resource(kind));
                    await denied(action, resource(kind).replace(REGION, OTHER_REGION), {}, "another region");
                    await denied(action, resource(kind).replace(ACCOUNT, OTHER_ACCOUNT), {}, "another account");
                }
            }
        });

        it("tags listeners and rules here", async () => {
            for (const action of ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"]) {
                for (const resource of [listener("app"), listener("net"), rule("app"), rule("net")]) {
                    await allowed(action, resource, ordinaryTag);
                    await denied(action, resource.replace(REGION, OTHER_REGION), ordinaryTag, "another region");
                }
            }
        });
    });
});
