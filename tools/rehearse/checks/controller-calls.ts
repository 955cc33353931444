/**
 * Rehearsal check `controller-calls`: every controller the platform installs makes the AWS calls it
 * really makes (each cited to its source at the pinned version), with the ARNs and tags the plan
 * gives it (cluster, region, account, queue, buckets, CA, Karpenter's instance-profile path), under
 * its role's policies as planned (inline, attached) and the boundary the role carries (the environment's
 * workload boundary, or its supply-chain boundary for the CI job role, the signature verifier and Policy
 * Reporter; both from the foundation's plan). Each call must be Allowed; each escalation Denied. One
 * evaluator decides, the rehearsal's (`../iam-eval`), for the tests and the rehearsal alike.
 */
import type { PlanFile, PlannedResource } from "../../offline/plan";
import { evaluateIam, IamDecision } from "../iam-eval";
import type { RehearsalCheck, RehearsalContext, RehearsalFinding } from "../model";
import { SERVER_TEMPLATE, templateArn } from "../../../components/pki/objects";

/** Facts the calls are built from, all read from the platform plan. */
export interface PlanFacts {
    readonly accountId: string;
    readonly region: string;
    /** The environment's name prefix (`cip-dev`), from the boundary the roles carry. */
    readonly prefix: string;
    readonly clusterName: string;
    readonly boundaryArn: string;
}

/** One AWS call a controller makes (or an escalation it must not be able to make). */
export interface ControllerCall {
    readonly controller: string;
    /** Plan name of the role or user making the call. */
    readonly identity: string;
    readonly action: string;
    readonly resource: string;
    readonly context?: Readonly<Record<string, string | string[]>>;
    /** Plan name of the KMS key whose key policy applies, or the role whose trust policy applies. */
    readonly resourcePolicyOf?: string;
    readonly expect: "Allowed" | "Denied";
    /** The upstream source of the call, at its pinned version. */
    readonly source: string;
    /** What the call is for, or what the escalation would give. */
    readonly why: string;
}

const KARPENTER = "aws/karpenter-provider-aws v1.14.1";
const LBC = "kubernetes-sigs/aws-load-balancer-controller v3.5.0";
const EBS = "kubernetes-sigs/aws-ebs-csi-driver (EKS add-on)";
const ESO = "external-secrets/external-secrets v2.9.0";
const PCA = "cert-manager/aws-privateca-issuer v1.9.1";
const RUNNER = "gitlab-org/gitlab-runner (chart 0.68.1) cache/s3";
// Issue 25. The AWS Signer plugin is not versioned by the platform: the CI template's installer and the verifier's
// image (kyverno-notation-aws v1.1 Dockerfile) both take AWS's `latest`; its calls are those of the latest tag.
const SIGNER_PLUGIN = "aws/aws-signer-notation-plugin v1.0.350";
const ECR_HELPER = "awslabs/amazon-ecr-credential-helper v0.9.0 (ECR_CREDENTIAL_HELPER_VERSION of ci/templates/sign-image.gitlab-ci.yml)";
const ECR_PUSH_DOC = "awsdocs/amazon-ecr-user-guide doc_source/image-push.md (IAM actions of a registry-API push)";
const ECR_PULL_DOC = "awsdocs/amazon-ecr-user-guide doc_source/docker-pull-ecr-image.md (IAM actions of a registry-API pull)";
const NOTATION_AWS = "nirmata/kyverno-notation-aws v1.1 (chart 1.1.0)";
const POLICY_REPORTER = "kyverno/policy-reporter v3.9.0 (chart 3.9.1) pkg/target/securityhub/securityhub.go";

/**
 * AWS managed policies the platform attaches and the checked controllers rely on, as reviewed
 * statements (AWS managed policy reference; the EBS CSI driver's mirrors its
 * docs/example-iam-policy.json): only the statements the calls below need, so a call that needs more
 * fails rather than passing on an imagined grant.
 */
export const MANAGED_POLICY_STATEMENTS: Readonly<Record<string, unknown>> = {
    "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy": {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["ec2:DescribeAvailabilityZones", "ec2:DescribeInstances", "ec2:DescribeVolumes", "ec2:DescribeSnapshots"],
                Resource: "*",
            },
            { Effect: "Allow", Action: ["ec2:CreateSnapshot", "ec2:ModifyVolume"], Resource: "arn:aws:ec2:*:*:volume/*" },
            {
                Effect: "Allow",
                Action: ["ec2:AttachVolume", "ec2:DetachVolume"],
                Resource: ["arn:aws:ec2:*:*:volume/*", "arn:aws:ec2:*:*:instance/*"],
            },
            {
                Effect: "Allow",
                Action: "ec2:CreateTags",
                Resource: ["arn:aws:ec2:*:*:volume/*", "arn:aws:ec2:*:*:snapshot/*"],
                Condition: { StringEquals: { "ec2:CreateAction": ["CreateVolume", "CreateSnapshot", "CopyVolumes"] } },
            },
            {
                Effect: "Allow",
                Action: "ec2:CreateVolume",
                Resource: "arn:aws:ec2:*:*:volume/*",
                Condition: { StringLike: { "aws:RequestTag/ebs.csi.aws.com/cluster": "true" } },
            },
            {
                Effect: "Allow",
                Action: "ec2:DeleteVolume",
                Resource: "arn:aws:ec2:*:*:volume/*",
                Condition: { StringLike: { "ec2:ResourceTag/ebs.csi.aws.com/cluster": "true" } },
            },
            {
                Effect: "Allow",
                Action: "ec2:CreateSnapshot",
                Resource: "arn:aws:ec2:*:*:snapshot/*",
                Condition: { StringLike: { "aws:RequestTag/ebs.csi.aws.com/cluster": "true" } },
            },
        ],
    },
};

const str = (v: unknown): string => (typeof v === "string" ? v : "");

function parse(v: unknown): { Statement?: Array<{ Action?: unknown; Resource?: unknown }> } | undefined {
    try {
        return typeof v === "string" ? JSON.parse(v) : (v as { Statement?: [] });
    } catch {
        return undefined;
    }
}

/** The planned identity named `name` (its plan name, not the physical one). */
function identityResource(plan: PlanFile, name: string): PlannedResource | undefined {
    return plan.resources.find((r) => (r.type === "aws:iam/role:Role" || r.type === "aws:iam/user:User") && r.name === name);
}

/** Physical names get a random suffix from the engine: `<plan name>-<7 hex>`. */
const physicalOf = (physical: unknown, name: string): boolean =>
    new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(-[0-9a-f]{7})?$`).test(str(physical));

/** Identity policies of a planned role or user: inline policies and attached (managed) policies. */
export function identityPoliciesOf(plan: PlanFile, name: string): { documents: unknown[]; missing: string[] } {
    const documents: unknown[] = [];
    const missing: string[] = [];
    for (const r of plan.resources) {
        if (
            (r.type === "aws:iam/rolePolicy:RolePolicy" && physicalOf(r.inputs.role, name)) ||
            (r.type === "aws:iam/userPolicy:UserPolicy" && physicalOf(r.inputs.user, name))
        ) {
            documents.push(r.inputs.policy);
        }
        if (
            (r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && physicalOf(r.inputs.role, name)) ||
            (r.type === "aws:iam/userPolicyAttachment:UserPolicyAttachment" && physicalOf(r.inputs.user, name))
        ) {
            const arn = str(r.inputs.policyArn);
            if (MANAGED_POLICY_STATEMENTS[arn]) documents.push(MANAGED_POLICY_STATEMENTS[arn]);
            else missing.push(arn);
        }
    }
    return { documents, missing };
}

/** Boundary documents by policy ARN, from the foundation's resources (`aws:iam/policy:Policy`, path and name). */
export function boundariesFromResources(resources: readonly PlannedResource[], accountId: string): Map<string, unknown> {
    return new Map(
        resources
            .filter((r) => r.type === "aws:iam/policy:Policy")
            .map((r) => [`arn:aws:iam::${accountId}:policy${str(r.inputs.path) || "/"}${str(r.inputs.name)}`, r.inputs.policy] as const),
    );
}

/** The first Resource of the first statement in a planned policy that grants `action`. */
function grantedResource(plan: PlanFile, policyName: string, action: string): string | undefined {
    const policy = plan.resources.find((r) => r.name === policyName && /Policy$/.test(r.type));
    for (const s of parse(policy?.inputs.policy)?.Statement ?? []) {
        const actions = ([] as unknown[]).concat(s.Action ?? []).map(String);
        if (actions.includes(action)) return ([] as unknown[]).concat(s.Resource ?? []).map(String)[0];
    }
    return undefined;
}

export function planFacts(plan: PlanFile): PlanFacts {
    // The workload boundary names the environment (the supply-chain roles carry another one).
    const boundaryArn = str(
        plan.resources.find((r) => r.type === "aws:iam/role:Role" && /-workload-boundary$/.test(str(r.inputs.permissionsBoundary)))?.inputs
            .permissionsBoundary,
    );
    const boundary = /^arn:aws:iam::(\d{12}):policy\/(?:.*\/)?(.+)-workload-boundary$/.exec(boundaryArn);
    const karpenter = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && /karpenter-controller$/.test(r.name));
    const clusterName = str((karpenter?.inputs.values as { settings?: { clusterName?: string } } | undefined)?.settings?.clusterName);
    // The region: the AWS provider's (a faithful plan), else the cluster ARN Karpenter may describe.
    const provider = plan.resources.find((r) => r.type === "pulumi:providers:aws" && r.inputs.region);
    const clusterArn = boundary
        ? grantedResource(plan, `${boundary[2]}-karpenter-controller-eks-integration`, "eks:DescribeCluster")
        : undefined;
    const region = str(provider?.inputs.region) || (/^arn:aws:eks:([^:]+):/.exec(clusterArn ?? "")?.[1] ?? "");
    if (!boundary || !clusterName || !region) {
        throw new Error("controller-calls: the plan names no workload boundary, Karpenter cluster name or AWS region");
    }
    return { accountId: boundary[1], region, prefix: boundary[2], clusterName, boundaryArn };
}

/** Every controller's calls, built from the plan's facts. */
export function controllerCalls(plan: PlanFile, f: PlanFacts): ControllerCall[] {
    const { accountId: acct, region, prefix, clusterName: cluster } = f;
    const ec2 = (kind: string, id: string): string => `arn:aws:ec2:${region}:${acct}:${kind}/${id}`;
    const calls: ControllerCall[] = [];
    const add = (c: Omit<ControllerCall, "expect"> & { expect?: "Allowed" | "Denied" }): void => {
        calls.push({ ...c, expect: c.expect ?? "Allowed" });
    };

    // Karpenter: its controller role.
    const karpenterRole = `${prefix}-karpenter-controller`;
    const nodeClassUid = "6f1c2a9e-1b2c-4d5e-8f90-123456789abc";
    const profile = `arn:aws:iam::${acct}:instance-profile/karpenter/${region}/${cluster}/${nodeClassUid}/${cluster}_1234567890123456789`;
    const profileTags = {
        [`kubernetes.io/cluster/${cluster}`]: "owned",
        "eks:eks-cluster-name": cluster,
        "karpenter.k8s.aws/ec2nodeclass": "general",
        "topology.kubernetes.io/region": region,
    };
    const req = (tags: Record<string, string>): Record<string, string | string[]> => ({
        ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
        "aws:TagKeys": Object.keys(tags),
    });
    const res = (tags: Record<string, string>): Record<string, string> =>
        Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
    const profileSource = `${KARPENTER} pkg/controllers/nodeclass/instanceprofile.go (path /karpenter/<region>/<cluster>/<uid>/, since v1.7) and pkg/providers/instanceprofile/instanceprofile.go (Get by name before Create)`;
    const k = (
        action: string,
        resource: string,
        context: Record<string, string | string[]>,
        source: string,
        why: string,
        expect?: "Allowed" | "Denied",
    ): void => add({ controller: "Karpenter", identity: karpenterRole, action, resource, context, source, why, expect });
    // Before creating it, Karpenter reads the profile by name; IAM matches a profile that does not exist yet on its path-less ARN.
    k(
        "iam:GetInstanceProfile",
        `arn:aws:iam::${acct}:instance-profile/${cluster}_1234567890123456789`,
        {},
        `${KARPENTER} pkg/providers/instanceprofile/instanceprofile.go (Create looks the profile up by name before creating it)`,
        "look up the node class's profile before it exists",
    );
    k("iam:GetInstanceProfile", profile, res(profileTags), profileSource, "read the node class's profile");
    k("iam:CreateInstanceProfile", profile, req(profileTags), profileSource, "create the node class's profile under its path");
    k(
        "iam:TagInstanceProfile",
        profile,
        { ...req(profileTags), ...res(profileTags) },
        `${KARPENTER} pkg/controllers/nodeclass/instanceprofile.go`,
        "tag the profile",
    );
    k("iam:AddRoleToInstanceProfile", profile, res(profileTags), profileSource, "put the node role in the profile");
    k("iam:RemoveRoleFromInstanceProfile", profile, res(profileTags), profileSource, "swap the role when the node class changes");
    k(
        "iam:DeleteInstanceProfile",
        profile,
        res(profileTags),
        `${KARPENTER} pkg/controllers/nodeclass/garbagecollection/controller.go`,
        "garbage-collect old profiles",
    );
    k("iam:ListInstanceProfiles", "*", {}, profileSource, "list the cluster's profiles by path prefix");
    const nodeRole =
        grantedResource(plan, `${karpenterRole}-iam-integration`, "iam:PassRole") ?? `arn:aws:iam::${acct}:role/${prefix}-karpenter-node`;
    k(
        "iam:PassRole",
        nodeRole,
        { "iam:PassedToService": "ec2.amazonaws.com" },
        `${KARPENTER} pkg/providers/instance/instance.go (CreateFleet with the profile)`,
        "launch nodes with the node role",
    );
    const launchTags = {
        [`kubernetes.io/cluster/${cluster}`]: "owned",
        "eks:eks-cluster-name": cluster,
        "karpenter.sh/nodepool": "general-arm64",
    };
    // The resources CreateFleet authorizes with the launch's tags (Service Authorization Reference, Amazon EC2, CreateFleet:
    // fleet, instance, volume; it lists no network-interface, which RunInstances, not CreateFleet, authorizes).
    for (const kind of ["fleet", "instance", "volume"]) {
        k(
            "ec2:CreateFleet",
            ec2(kind, "x-0abc"),
            req(launchTags),
            `${KARPENTER} pkg/providers/instance/instance.go`,
            `launch: ${kind} tagged for the cluster`,
        );
    }
    k(
        "ec2:CreateFleet",
        ec2("launch-template", "lt-0abc"),
        res(launchTags),
        `${KARPENTER} pkg/providers/instance/instance.go`,
        "launch from its own template",
    );
    k(
        "ec2:CreateFleet",
        ec2("subnet", "subnet-0abc"),
        {},
        `${KARPENTER} pkg/providers/instance/instance.go`,
        "launch into the cluster's subnets",
    );
    k(
        "ec2:CreateLaunchTemplate",
        ec2("launch-template", "lt-0abc"),
        req(launchTags),
        `${KARPENTER} pkg/providers/launchtemplate/launchtemplate.go`,
        "create the node class's template",
    );
    k(
        "ec2:CreateTags",
        ec2("instance", "i-0abc"),
        { ...req(launchTags), "ec2:CreateAction": "CreateFleet" },
        `${KARPENTER} pkg/providers/instance/instance.go`,
        "tags on launch",
    );
    k(
        "ec2:TerminateInstances",
        ec2("instance", "i-0abc"),
        res(launchTags),
        `${KARPENTER} pkg/providers/instance/instance.go (Delete)`,
        "terminate its nodes",
    );
    k(
        "ec2:DescribeInstanceTypes",
        "*",
        { "aws:RequestedRegion": region },
        `${KARPENTER} pkg/providers/instancetype/instancetype.go`,
        "instance type discovery",
    );
    k("pricing:GetProducts", "*", {}, `${KARPENTER} pkg/providers/pricing/pricing.go`, "on-demand prices");
    k(
        "ssm:GetParameter",
        `arn:aws:ssm:${region}::parameter/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/arm64/standard/recommended/image_id`,
        {},
        `${KARPENTER} pkg/providers/ssm/provider.go`,
        "AMI alias resolution",
    );
    k(
        "eks:DescribeCluster",
        `arn:aws:eks:${region}:${acct}:cluster/${cluster}`,
        {},
        `${KARPENTER} pkg/operator/operator.go`,
        "API server endpoint discovery",
    );
    const queue =
        grantedResource(plan, `${karpenterRole}-interruption`, "sqs:ReceiveMessage") ?? `arn:aws:sqs:${region}:${acct}:${cluster}`;
    for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueUrl"]) {
        k(action, queue, {}, `${KARPENTER} pkg/providers/sqs/sqs.go`, "interruption events");
    }
    const volumeKey = grantedResource(plan, `${karpenterRole}-node-lifecycle`, "kms:CreateGrant");
    if (volumeKey) {
        add({
            controller: "Karpenter",
            identity: karpenterRole,
            action: "kms:CreateGrant",
            resource: volumeKey,
            context: { "kms:ViaService": `ec2.${region}.amazonaws.com`, "kms:GrantIsForAWSResource": "true" },
            resourcePolicyOf: `${prefix}-cluster-volumes`,
            source: `${KARPENTER} pkg/providers/instance/instance.go (CreateFleet with CMK-encrypted volumes)`,
            why: "EC2 launches with the volume key",
        });
    }
    k(
        "iam:PassRole",
        `arn:aws:iam::${acct}:role/${prefix}-deployer-admin`,
        { "iam:PassedToService": "ec2.amazonaws.com" },
        `${KARPENTER} (escalation)`,
        "pass any other role to a node",
        "Denied",
    );
    k(
        "ec2:TerminateInstances",
        ec2("instance", "i-0other"),
        {},
        `${KARPENTER} (escalation)`,
        "terminate an instance it did not launch",
        "Denied",
    );
    k(
        "iam:CreateInstanceProfile",
        `arn:aws:iam::${acct}:instance-profile/admin-profile`,
        req(profileTags),
        `${KARPENTER} (escalation)`,
        "a profile outside its path",
        "Denied",
    );

    // AWS Load Balancer Controller.
    const lbc = (
        action: string,
        resource: string,
        context: Record<string, string | string[]>,
        file: string,
        why: string,
        expect?: "Allowed" | "Denied",
    ): void =>
        add({
            controller: "AWS Load Balancer Controller",
            identity: `${prefix}-ingress-controller`,
            action,
            resource,
            context,
            source: `${LBC} ${file}`,
            why,
            expect,
        });
    const owned = { "elbv2.k8s.aws/cluster": cluster, "ingress.k8s.aws/stack": "jenkins/jenkins" };
    const lb = `arn:aws:elasticloadbalancing:${region}:${acct}:loadbalancer/app/k8s-jenkins-0abc/0123456789abcdef`;
    const tg = `arn:aws:elasticloadbalancing:${region}:${acct}:targetgroup/k8s-jenkins-0abc/0123456789abcdef`;
    const sg = ec2("security-group", "sg-0abc");
    lbc("elasticloadbalancing:CreateLoadBalancer", lb, req(owned), "pkg/deploy/elbv2/load_balancer_manager.go", "create the Ingress's ALB");
    lbc(
        "elasticloadbalancing:AddTags",
        lb,
        { ...req(owned), "elasticloadbalancing:CreateAction": "CreateLoadBalancer" },
        "pkg/deploy/elbv2/load_balancer_manager.go",
        "tags on create",
    );
    lbc("elasticloadbalancing:CreateTargetGroup", tg, req(owned), "pkg/deploy/elbv2/target_group_manager.go", "target group");
    lbc(
        "elasticloadbalancing:RegisterTargets",
        tg,
        res(owned),
        "pkg/targetgroupbinding/resource_manager.go",
        "register pods in its target group",
    );
    lbc(
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        lb,
        res(owned),
        "pkg/deploy/elbv2/load_balancer_manager.go",
        "attributes of its ALB",
    );
    lbc(
        "elasticloadbalancing:AddTags",
        lb,
        { ...res(owned), ...req({ "ingress.k8s.aws/resource": "LoadBalancer" }) },
        "pkg/deploy/elbv2/tagging_manager.go",
        "update its own tags",
    );
    lbc("elasticloadbalancing:CreateListener", lb, {}, "pkg/deploy/elbv2/listener_manager.go", "HTTPS listener");
    const vpc = grantedResource(plan, `${prefix}-ingress-controller`, "ec2:CreateSecurityGroup") ?? ec2("vpc", "vpc-0abc");
    // An existing group's VPC is in the request's context as ec2:Vpc; a group being created has none (Service
    // Authorization Reference, Amazon EC2, CreateSecurityGroup: aws:RequestTag, aws:TagKeys, ec2:SecurityGroupID only).
    const inVpc = { "ec2:Vpc": vpc };
    // The VPC is authorized with its own keys only (CreateSecurityGroup's vpc row: aws:ResourceTag, ec2:ResourceTag,
    // ec2:Tenancy, ec2:VpcID): the request's tags are judged on the new group, not here.
    lbc("ec2:CreateSecurityGroup", vpc, {}, "pkg/deploy/ec2/security_group_manager.go", "frontend security group (in the VPC)");
    lbc("ec2:CreateSecurityGroup", sg, req(owned), "pkg/deploy/ec2/security_group_manager.go", "frontend security group");
    lbc(
        "ec2:CreateSecurityGroup",
        sg,
        req({ ...owned, "elbv2.k8s.aws/cluster": "another-cluster" }),
        "(escalation)",
        "create a security group tagged for another cluster",
        "Denied",
    );
    lbc(
        "ec2:CreateTags",
        sg,
        { ...req(owned), "ec2:CreateAction": "CreateSecurityGroup" },
        "pkg/deploy/ec2/security_group_manager.go",
        "tags on create",
    );
    lbc("ec2:AuthorizeSecurityGroupIngress", sg, inVpc, "pkg/networking/security_group_reconciler.go", "open the node group to the ALB");
    lbc(
        "ec2:AuthorizeSecurityGroupIngress",
        ec2("security-group", "sg-0other"),
        { "ec2:Vpc": ec2("vpc", "vpc-0other") },
        "(escalation)",
        "open a security group of another VPC",
        "Denied",
    );
    lbc("elasticloadbalancing:DescribeLoadBalancers", "*", {}, "pkg/deploy/elbv2/tagging_manager.go", "discovery of its load balancers");
    // Discovery runs only for an Ingress that names no certificate-arn (the platform's name theirs): it sees the
    // certificates tagged for this cluster, not every certificate of the account.
    lbc(
        "acm:DescribeCertificate",
        `arn:aws:acm:${region}:${acct}:certificate/0abc`,
        res({ "elbv2.k8s.aws/cluster": cluster }),
        "pkg/ingress/cert_discovery.go",
        "certificate discovery (a certificate tagged for this cluster)",
    );
    lbc(
        "elasticloadbalancing:DeleteTargetGroup",
        tg,
        res({ "elbv2.k8s.aws/cluster": "another-cluster" }),
        "(escalation)",
        "delete another cluster's target group (the cluster tag's value, not only its presence)",
        "Denied",
    );
    lbc(
        "elasticloadbalancing:AddTags",
        lb,
        { ...res(owned), ...req({ "elbv2.k8s.aws/cluster": "another-cluster" }) },
        "(escalation)",
        "move its ALB to another cluster",
        "Denied",
    );
    lbc("elasticloadbalancing:DeleteLoadBalancer", lb, {}, "(escalation)", "delete a load balancer it did not create", "Denied");

    // EBS CSI driver (managed add-on; AWS managed policy plus the volume key statements).
    const ebs = (
        action: string,
        resource: string,
        context: Record<string, string | string[]>,
        why: string,
        expect?: "Allowed" | "Denied",
        resourcePolicyOf?: string,
    ): void =>
        add({
            controller: "EBS CSI driver",
            identity: `${prefix}-cluster-ebs-csi`,
            action,
            resource,
            context,
            source: `${EBS} pkg/cloud/cloud.go`,
            why,
            expect,
            resourcePolicyOf,
        });
    const csiTags = { "ebs.csi.aws.com/cluster": "true", CSIVolumeName: "pvc-0abc", [`kubernetes.io/cluster/${cluster}`]: "owned" };
    ebs("ec2:CreateVolume", ec2("volume", "vol-0abc"), req(csiTags), "provision a volume");
    ebs("ec2:CreateTags", ec2("volume", "vol-0abc"), { ...req(csiTags), "ec2:CreateAction": "CreateVolume" }, "tags on create");
    ebs("ec2:AttachVolume", ec2("volume", "vol-0abc"), {}, "attach to the node");
    ebs("ec2:AttachVolume", ec2("instance", "i-0abc"), {}, "attach to the node");
    ebs(
        "ec2:DeleteVolume",
        ec2("volume", "vol-0abc"),
        { "ec2:ResourceTag/ebs.csi.aws.com/cluster": "true", "aws:ResourceTag/ebs.csi.aws.com/cluster": "true" },
        "delete its volume",
    );
    const ebsKey = grantedResource(plan, `${prefix}-cluster-ebs-csi-kms`, "kms:CreateGrant");
    if (ebsKey) {
        ebs(
            "kms:CreateGrant",
            ebsKey,
            { "kms:GrantIsForAWSResource": "true", "kms:ViaService": `ec2.${region}.amazonaws.com`, "kms:CallerAccount": acct },
            "encrypted volumes (grant for EC2)",
            "Allowed",
            `${prefix}-cluster-volumes`,
        );
        ebs(
            "kms:CreateGrant",
            ebsKey,
            { "kms:CallerAccount": acct },
            "a grant for itself, not for an AWS resource",
            "Denied",
            `${prefix}-cluster-volumes`,
        );
    }
    ebs("ec2:DeleteVolume", ec2("volume", "vol-0other"), {}, "delete a volume it did not create", "Denied");

    // External Secrets: the controller assumes the reader with session tags; the reader reads.
    const readerRole = identityResource(plan, `${prefix}-secrets-reader`);
    // The reader's ARN as the controller's policy names it (the role's physical name).
    const readerArn =
        grantedResource(plan, `${prefix}-secrets-controller`, "sts:AssumeRole") ?? `arn:aws:iam::${acct}:role/${prefix}-secrets-reader`;
    const storeTags = { esoNamespace: "jenkins", esoStoreName: "platform-secrets", esoStoreKind: "ClusterSecretStore" };
    const eso = (
        identity: string,
        action: string,
        resource: string,
        context: Record<string, string | string[]>,
        why: string,
        expect?: "Allowed" | "Denied",
        resourcePolicyOf?: string,
    ): void =>
        add({
            controller: "External Secrets",
            identity,
            action,
            resource,
            context,
            source: `${ESO} providers/v1/aws/provider.go (session tags, sessionTagsPolicy Simple)`,
            why,
            expect,
            resourcePolicyOf,
        });
    if (readerRole) {
        eso(
            `${prefix}-secrets-controller`,
            "sts:AssumeRole",
            readerArn,
            req(storeTags),
            "assume the reader",
            "Allowed",
            `${prefix}-secrets-reader`,
        );
        eso(
            `${prefix}-secrets-controller`,
            "sts:TagSession",
            readerArn,
            req(storeTags),
            "tag the session with the namespace",
            "Allowed",
            `${prefix}-secrets-reader`,
        );
        eso(
            `${prefix}-secrets-controller`,
            "sts:TagSession",
            readerArn,
            req({ ...storeTags, esoStoreKind: "SecretStore" }),
            "a tenant's namespaced store",
            "Denied",
            `${prefix}-secrets-reader`,
        );
    }
    const secretOf = (name: string): string => `arn:aws:secretsmanager:${region}:${acct}:secret:${name}-AbCdEf`;
    const abac = "ekssecret";
    const jenkinsSecret = plan.resources.find(
        (r) => r.type === "aws:secretsmanager/secret:Secret" && /\/jenkins\//.test(str(r.inputs.name)),
    );
    const session = { "aws:PrincipalTag/esoNamespace": "jenkins" };
    if (jenkinsSecret) {
        const source = `${ESO} providers/v1/aws/secretsmanager/secretsmanager.go`;
        add({
            controller: "External Secrets",
            identity: `${prefix}-secrets-reader`,
            action: "secretsmanager:GetSecretValue",
            resource: secretOf(str(jenkinsSecret.inputs.name)),
            context: { ...session, [`aws:ResourceTag/${abac}`]: "jenkins" },
            source,
            why: "sync jenkins' secret",
            expect: "Allowed",
        });
        const otherEnv = str(jenkinsSecret.inputs.name).replace(
            new RegExp(`^${prefix}/`),
            `${prefix === "cip-prod" ? "cip-dev" : "cip-prod"}/`,
        );
        add({
            controller: "External Secrets",
            identity: `${prefix}-secrets-reader`,
            action: "secretsmanager:GetSecretValue",
            resource: secretOf(otherEnv),
            context: { ...session, [`aws:ResourceTag/${abac}`]: "jenkins" },
            source,
            why: "another environment's secret of the same namespace",
            expect: "Denied",
        });
        add({
            controller: "External Secrets",
            identity: `${prefix}-secrets-reader`,
            action: "secretsmanager:GetSecretValue",
            resource: secretOf(`${prefix}/other/x`),
            context: { ...session, [`aws:ResourceTag/${abac}`]: "other" },
            source,
            why: "another namespace's secret",
            expect: "Denied",
        });
    }

    // aws-privateca-issuer: it picks the template per request (pkg/aws/pca.go); the issuer is set to TLS server certificates.
    const ca = grantedResource(plan, `${prefix}-pki-issuer`, "acm-pca:IssueCertificate");
    if (ca) {
        const pca = (action: string, resource: string, context: Record<string, string>, why: string, expect?: "Allowed" | "Denied"): void =>
            add({
                controller: "aws-privateca-issuer",
                identity: `${prefix}-pki-issuer`,
                action,
                resource,
                context,
                source: `${PCA} pkg/aws/pca.go`,
                why,
                expect,
            });
        const server = { "acm-pca:TemplateArn": templateArn(SERVER_TEMPLATE) };
        pca("acm-pca:DescribeCertificateAuthority", ca, {}, "issuer readiness");
        pca("acm-pca:IssueCertificate", ca, server, "a TLS server certificate for a platform UI");
        pca("acm-pca:GetCertificate", ca, {}, "fetch the issued certificate");
        pca(
            "acm-pca:IssueCertificate",
            ca,
            { "acm-pca:TemplateArn": templateArn("SubordinateCACertificate_PathLen0/V1") },
            "an intermediate CA (isCA: true)",
            "Denied",
        );
        pca(
            "acm-pca:IssueCertificate",
            `arn:aws:acm-pca:${region}:${acct}:certificate-authority/other`,
            server,
            "issue from another CA",
            "Denied",
        );
    }

    // GitLab runner managers: the S3 cache.
    const cacheObjects = grantedResource(plan, `${prefix}-runner-cache`, "s3:PutObject");
    if (cacheObjects) {
        const bucket = cacheObjects.replace(/\/\*$/, "");
        const source = `${RUNNER} (S3 cache adapter: runner/<token>/project/<id>/<key>)`;
        for (const action of ["s3:GetObject", "s3:PutObject"]) {
            add({
                controller: "GitLab runner manager",
                identity: `${prefix}-runner-cache`,
                action,
                resource: `${bucket}/runner/abc/project/1/default`,
                source,
                why: "job cache",
            });
        }
        add({
            controller: "GitLab runner manager",
            identity: `${prefix}-runner-cache`,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::cip-prod-runner-cache-0000000/runner/x",
            source: `${RUNNER} (escalation)`,
            why: "another environment's cache",
            expect: "Denied",
        });
    }

    // LINSTOR's S3 user (snapshot shipping to the DR bucket).
    const drObjects = grantedResource(plan, `${prefix}-storage-snapshots`, "s3:PutObject");
    if (drObjects) {
        const bucket = drObjects.replace(/\/\*$/, "");
        const source = "LINBIT/linstor-server (piraeus 2.6.0) S3 backup shipping";
        for (const [action, resource] of [
            ["s3:PutObject", `${bucket}/pvc-0abc_00000.meta`],
            ["s3:GetObject", `${bucket}/pvc-0abc_00000.meta`],
            ["s3:ListBucket", bucket],
            ["s3:AbortMultipartUpload", `${bucket}/pvc-0abc_00000`],
        ] as const) {
            add({
                controller: "LINSTOR S3 user",
                identity: `${prefix}-storage-snapshots`,
                action,
                resource,
                source,
                why: "ship and restore snapshots",
            });
        }
        add({
            controller: "LINSTOR S3 user",
            identity: `${prefix}-storage-snapshots`,
            action: "s3:GetObject",
            resource: `arn:aws:s3:::${prefix}-runner-cache-0000000/x`,
            source: `${source} (escalation)`,
            why: "another bucket",
            expect: "Denied",
        });
    }

    // Jenkins' controller role (when deploy roles are configured).
    const jenkinsPolicy = plan.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && /jenkins/.test(r.name));
    const deployRole = jenkinsPolicy ? grantedResource(plan, jenkinsPolicy.name, "sts:AssumeRole") : undefined;
    const jenkinsRole = jenkinsPolicy
        ? plan.resources.find((r) => r.type === "aws:iam/role:Role" && physicalOf(jenkinsPolicy.inputs.role, r.name))
        : undefined;
    if (deployRole && jenkinsRole) {
        add({
            controller: "Jenkins",
            identity: jenkinsRole.name,
            action: "sts:AssumeRole",
            resource: deployRole,
            source: "jenkinsci/aws-credentials-plugin (AssumeRole)",
            why: "deploy into its target account",
            resourcePolicyOf: "deploy role trust (other account)",
        });
    }
    supplyChainCalls(plan, f).forEach((c) => add(c));
    return calls;
}

/**
 * Issue 25: the supply chain's and the findings pipeline's roles, under the supply-chain boundary. The
 * CI job role (runner job pods: the sign-image template's BuildKit push, `notation sign` and `notation
 * verify`), the signature verifier Kyverno calls, and Policy Reporter's Security Hub target. Falcosidekick
 * has no AWS identity (see falcosidekickAwsOutputs).
 */
function supplyChainCalls(plan: PlanFile, f: PlanFacts): ControllerCall[] {
    const { accountId: acct, region, prefix } = f;
    const calls: ControllerCall[] = [];
    const other = prefix === "cip-prod" ? "cip-dev" : "cip-prod";
    const ciJob = `${prefix}-supply-ci-job`;
    const verifier = `${prefix}-supply-verifier`;
    const repository = grantedResource(plan, ciJob, "ecr:PutImage");
    const profile = grantedResource(plan, ciJob, "signer:SignPayload");
    const signingJob = `arn:aws:signer:${region}:${acct}:/signing-jobs/11111111-2222-3333-4444-555555555555`;
    if (repository && profile) {
        // The signature's extended attributes name the profile version and the job (verifier.go validateRevocation).
        const profileVersion = `${profile}/A1B2C3D4E5`;
        const otherRepository = repository.replace(`:repository/${prefix}/`, `:repository/${other}/`);
        const otherProfile = profile.replace(/\/signing-profiles\/[^/]+$/, `/signing-profiles/${other.replace(/-/g, "_")}_0000000000`);
        const job = (action: string, resource: string, source: string, why: string, expect: "Allowed" | "Denied" = "Allowed"): void => {
            calls.push({ controller: "CI job role (sign-image template)", identity: ciJob, action, resource, source, why, expect });
        };
        job(
            "ecr:GetAuthorizationToken",
            "*",
            `${ECR_HELPER} ecr-login/api/client.go (GetAuthorizationToken)`,
            "registry credentials for BuildKit and Notation",
        );
        for (const action of [
            "ecr:BatchCheckLayerAvailability",
            "ecr:InitiateLayerUpload",
            "ecr:UploadLayerPart",
            "ecr:CompleteLayerUpload",
            "ecr:PutImage",
        ]) {
            job(action, repository, ECR_PUSH_DOC, "push the image (BuildKit), then its signature as a referrer (notation sign)");
        }
        for (const action of ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]) {
            job(action, repository, ECR_PULL_DOC, "resolve the digest and read the signature back (notation sign, notation verify)");
        }
        job(
            "signer:SignPayload",
            profile,
            `${SIGNER_PLUGIN} internal/signer/signer.go (SignPayload: the profile's name and owner from --id)`,
            "sign the pushed digest with the environment's profile",
        );
        job(
            "signer:GetRevocationStatus",
            profileVersion,
            `${SIGNER_PLUGIN} internal/verifier/verifier.go (validateRevocation: ProfileVersionArn)`,
            "notation verify: is the profile version revoked",
        );
        job(
            "signer:GetRevocationStatus",
            signingJob,
            `${SIGNER_PLUGIN} internal/verifier/verifier.go (validateRevocation: JobArn)`,
            "notation verify: is the signature revoked",
        );
        job("ecr:PutImage", otherRepository, `${ECR_PUSH_DOC} (escalation)`, "push into another environment's repository", "Denied");
        job(
            "signer:SignPayload",
            otherProfile,
            `${SIGNER_PLUGIN} internal/signer/signer.go (escalation)`,
            "sign with another environment's profile",
            "Denied",
        );
        job("ecr:BatchDeleteImage", repository, `${ECR_PUSH_DOC} (escalation)`, "delete images or signatures", "Denied");
        job("signer:RevokeSignature", signingJob, `${SIGNER_PLUGIN} (escalation)`, "revoke signatures", "Denied");

        const verify = (action: string, resource: string, source: string, why: string, expect: "Allowed" | "Denied" = "Allowed"): void => {
            calls.push({ controller: "kyverno-notation-aws", identity: verifier, action, resource, source, why, expect });
        };
        verify(
            "ecr:GetAuthorizationToken",
            "*",
            `${NOTATION_AWS} main.go (ECR credential helper keychain), auth.go (getAuthFromIRSA)`,
            "registry credentials through IRSA",
        );
        for (const action of ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]) {
            verify(
                action,
                repository,
                `${NOTATION_AWS} main.go (/checkimages: kyverno-notation-verifier reads manifest, referrers, signature blobs); ${ECR_PULL_DOC}`,
                "read the image's signatures",
            );
        }
        verify(
            "signer:GetRevocationStatus",
            profileVersion,
            `${SIGNER_PLUGIN} internal/verifier/verifier.go (validateRevocation: ProfileVersionArn)`,
            "revocation of the profile version, on every verification",
        );
        verify(
            "signer:GetRevocationStatus",
            signingJob,
            `${SIGNER_PLUGIN} internal/verifier/verifier.go (validateRevocation: JobArn)`,
            "revocation of the signature, on every verification",
        );
        verify("ecr:PutImage", repository, `${NOTATION_AWS} (escalation)`, "write to the registry it verifies", "Denied");
        verify(
            "signer:SignPayload",
            profile,
            `${SIGNER_PLUGIN} internal/signer/signer.go (escalation)`,
            "sign what it should verify",
            "Denied",
        );
        verify(
            "signer:GetRevocationStatus",
            `${otherProfile}/A1B2C3D4E5`,
            `${SIGNER_PLUGIN} (escalation)`,
            "another environment's profile",
            "Denied",
        );
    }

    // Policy Reporter's Security Hub target: BatchSend imports (AwsAccountId = the account), CleanUp looks up and resolves.
    const reporter = `${prefix}-findings-policy-reporter`;
    const product = grantedResource(plan, reporter, "securityhub:BatchImportFindings");
    const hub = grantedResource(plan, reporter, "securityhub:GetFindings");
    if (product && hub) {
        const report = (
            action: string,
            resource: string,
            source: string,
            why: string,
            expect: "Allowed" | "Denied" = "Allowed",
            context?: Record<string, string>,
        ): void => {
            calls.push({ controller: "Policy Reporter", identity: reporter, action, resource, context, source, why, expect });
        };
        report(
            "securityhub:BatchImportFindings",
            product,
            `${POLICY_REPORTER} (BatchSend)`,
            "import failing results as findings of the account",
            "Allowed",
            { "securityhub:TargetAccount": acct },
        );
        report("securityhub:GetFindings", hub, `${POLICY_REPORTER} (getFindings, getFindingsByIDs)`, "find its earlier findings");
        report("securityhub:BatchUpdateFindings", hub, `${POLICY_REPORTER} (batchUpdate)`, "resolve findings whose report cleared");
        report(
            "securityhub:BatchImportFindings",
            product,
            `${POLICY_REPORTER} (escalation)`,
            "import findings into another account",
            "Denied",
            { "securityhub:TargetAccount": "210987654321" },
        );
        report(
            "securityhub:BatchImportFindings",
            `arn:aws:securityhub:${region}::product/aws/guardduty`,
            `${POLICY_REPORTER} (escalation)`,
            "import as an AWS service's product",
            "Denied",
            { "securityhub:TargetAccount": acct },
        );
        report("securityhub:DisableSecurityHub", hub, `${POLICY_REPORTER} (escalation)`, "turn Security Hub off", "Denied");
    }
    return calls;
}

/**
 * Falcosidekick's outputs that call AWS (falcosecurity/falcosidekick 2.31.1, chart 0.14.0 values.yaml
 * `config.aws`: CloudWatch Logs, Lambda, SNS, SQS, S3, Kinesis, Security Lake; there is no Security Hub
 * output, outputs/ has no awssecurityhub.go) are all off, and its service account names no IAM role: the
 * platform's route into Security Hub is its `policyreport` output. An AWS output turned on in values
 * would call AWS with whatever credentials the pod finds (the node's), so each one is reported.
 */
export function falcosidekickAwsOutputs(plan: PlanFile): string[] {
    const release = plan.resources.find(
        (r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.inputs.chart === "falcosidekick" || /-falcosidekick$/.test(r.name)),
    );
    if (!release) return [];
    const values = (release.inputs.values ?? {}) as {
        config?: { aws?: Record<string, unknown> };
        serviceAccount?: { annotations?: Record<string, unknown> };
    };
    const problems: string[] = [];
    const leaves = (v: unknown, path: string): void => {
        if (typeof v === "string" && v !== "" && !/(region|minimumpriority|format|interval|batchsize|prefix|accountid)$/i.test(path)) {
            problems.push(`config.aws.${path} is set (${v}): an AWS output of Falcosidekick, which has no IAM role`);
        } else if (v && typeof v === "object") {
            for (const [k, x] of Object.entries(v)) leaves(x, path ? `${path}.${k}` : k);
        }
    };
    leaves(values.config?.aws, "");
    const roleArn = values.serviceAccount?.annotations?.["eks.amazonaws.com/role-arn"];
    if (roleArn) problems.push(`serviceAccount names an IAM role (${String(roleArn)}): Falcosidekick makes no AWS call on the platform`);
    return problems;
}

/** Resource policies by the plan name the calls use: key policies of KMS keys, trust policies of roles. */
function resourcePolicy(plan: PlanFile, name: string | undefined, facts: PlanFacts): unknown {
    if (!name) return undefined;
    if (name === "deploy role trust (other account)") {
        // A deploy role in another account trusts the Jenkins role (docs/controllers.md); its policy is not in this plan.
        return {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${facts.accountId}:root` }, Action: "sts:AssumeRole" }],
        };
    }
    const r = plan.resources.find((x) => x.name === name && (x.type === "aws:kms/key:Key" || x.type === "aws:iam/role:Role"));
    return r?.type === "aws:kms/key:Key" ? r.inputs.policy : r?.inputs.assumeRolePolicy;
}

export interface CallOutcome {
    readonly call: ControllerCall;
    readonly decision: IamDecision;
    readonly reason: string;
    readonly ok: boolean;
}

/** Evaluates every call of the plan against its identity's policies and boundary. */
export function evaluateControllerCalls(plan: PlanFile, boundaries: ReadonlyMap<string, unknown>): CallOutcome[] {
    const facts = planFacts(plan);
    return controllerCalls(plan, facts).map((call) => {
        const identity = identityResource(plan, call.identity);
        if (!identity) {
            return { call, decision: "ImplicitlyDenied" as const, reason: `the plan has no role or user ${call.identity}`, ok: false };
        }
        const { documents, missing } = identityPoliciesOf(plan, call.identity);
        const boundaryArn = str(identity.inputs.permissionsBoundary);
        const boundary = boundaryArn ? boundaries.get(boundaryArn) : undefined;
        if (boundaryArn && boundary === undefined) {
            return {
                call,
                decision: "ImplicitlyDenied" as const,
                reason: `the boundary ${boundaryArn} is not among the referenced foundation stack's resources`,
                ok: false,
            };
        }
        // The session's ARN carries the role's physical name (what trust policies name).
        const physical =
            plan.resources.map((r) => str(r.inputs.role) || str(r.inputs.user)).find((n) => n && physicalOf(n, call.identity)) ??
            call.identity;
        const principalArn =
            identity.type === "aws:iam/user:User"
                ? `arn:aws:iam::${facts.accountId}:user${str(identity.inputs.path) || "/"}${physical}`
                : `arn:aws:sts::${facts.accountId}:assumed-role/${physical}/rehearsal`;
        const result = evaluateIam(
            { action: call.action, resource: call.resource, principalArn, context: call.context },
            { identity: documents, boundary, resource: resourcePolicy(plan, call.resourcePolicyOf, facts) },
        );
        const ok = call.expect === "Allowed" ? result.decision === "Allowed" : result.decision !== "Allowed";
        const reason =
            missing.length > 0 && !ok ? `${result.reason}; attached policies not reviewed here: ${missing.join(", ")}` : result.reason;
        return { call, decision: result.decision, reason, ok };
    });
}

/**
 * The check. The workload boundaries are the foundation's: a version 2 plan carries the foundation
 * stack it reads (`stackReferences`, its planned resources); without it every call is reported, since
 * no call can be judged without its boundary.
 */
export const controllerCallsCheck: RehearsalCheck = {
    name: "controller-calls",
    description:
        "Each controller's AWS calls (cited to its source) under its planned policies and its boundary (workload or supply chain): Allowed; escalations Denied",
    run(context: RehearsalContext): RehearsalFinding[] {
        if (!context.plan.resources.some((r) => r.type === "kubernetes:helm.sh/v3:Release" && /karpenter-controller$/.test(r.name))) {
            return []; // Not a platform plan (the foundation's, or a fixture of another check): no controllers.
        }
        const facts = planFacts(context.plan);
        const boundaries = boundariesFromResources(
            context.references.flatMap((s) => s.resources),
            facts.accountId,
        );
        const sidekick = context.plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && /-falcosidekick$/.test(r.name));
        const sidekickFindings = falcosidekickAwsOutputs(context.plan).map((why) => ({
            step: (sidekick && context.stepOf.get(sidekick.urn)?.index) ?? 0,
            urn: sidekick?.urn ?? "falcosidekick",
            check: "controller-calls",
            why: `Falcosidekick: ${why}`,
            source: "falcosecurity/falcosidekick 2.31.1 (chart 0.14.0 values.yaml config.aws; outputs/aws.go)",
        }));
        const callFindings = evaluateControllerCalls(context.plan, boundaries)
            .filter((o) => !o.ok)
            .map((o) => {
                const identity = identityResource(context.plan, o.call.identity);
                const step = identity ? context.stepOf.get(identity.urn) : undefined;
                return {
                    step: step?.index ?? 0,
                    urn: identity?.urn ?? o.call.identity,
                    check: "controller-calls",
                    why: `${o.call.controller}: ${o.call.action} on ${o.call.resource} (${o.call.why}) is ${o.decision}, expected ${o.call.expect}: ${o.reason}`,
                    source: o.call.source,
                };
            });
        return [...sidekickFindings, ...callFindings];
    },
};
