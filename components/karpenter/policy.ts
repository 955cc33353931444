/**
 * Karpenter controller permissions, following the upstream reference policy (getting-started
 * CloudFormation): every mutating action scoped to this cluster's tags, region and ARNs, `*` only
 * for read actions that have no resource-level permissions.
 */
import { PolicyDocument, policyDocument } from "../shared/iam-documents";

/**
 * The IAM path Karpenter creates its instance profiles under, since v1.7 (karpenter-provider-aws
 * v1.14.1 `pkg/providers/instanceprofile/instanceprofile.go`, `Create`: `/karpenter/<region>/<cluster>/<nodeclass uid>/`;
 * `ListClusterProfiles` lists by the `/karpenter/<region>/<cluster>/` prefix). An instance profile's
 * ARN carries its path: `arn:aws:iam::<account>:instance-profile/karpenter/<region>/<cluster>/<uid>/<cluster>_<hash>`.
 */
export function karpenterInstanceProfilePath(region: string, clusterName: string): string {
    return `/karpenter/${region}/${clusterName}/`;
}

/** ARN pattern of every instance profile Karpenter creates for the cluster (any node class). */
export function karpenterInstanceProfileArns(accountId: string, region: string, clusterName: string): string {
    return `arn:aws:iam::${accountId}:instance-profile${karpenterInstanceProfilePath(region, clusterName)}*`;
}

export interface KarpenterPolicyArgs {
    readonly region: string;
    readonly accountId: string;
    readonly clusterName: string;
    readonly nodeRoleArn: string;
    readonly interruptionQueueArn: string;
    /** KMS key of node volumes: EC2 needs a grant to launch with it. */
    readonly volumeKeyArn: string;
}

/** The controller's inline policies, keyed by purpose (each stays under IAM's inline size limit). */
export function karpenterControllerPolicies(a: KarpenterPolicyArgs): Record<string, PolicyDocument> {
    const ec2 = (kind: string): string => `arn:aws:ec2:${a.region}:*:${kind}/*`;
    const taggedResources = ["fleet", "instance", "volume", "network-interface", "launch-template", "spot-instances-request"].map(ec2);
    const ownedByCluster = { [`aws:ResourceTag/kubernetes.io/cluster/${a.clusterName}`]: "owned" };
    const requestOwnedByCluster = {
        [`aws:RequestTag/kubernetes.io/cluster/${a.clusterName}`]: "owned",
        "aws:RequestTag/eks:eks-cluster-name": a.clusterName,
    };
    // Upstream's reference policy allows `instance-profile/*` under tag conditions; the profiles Karpenter v1.14.1
    // creates, tags, fills, empties and deletes all live under the cluster's path, so the ARN pins them too.
    const instanceProfiles = karpenterInstanceProfileArns(a.accountId, a.region, a.clusterName);
    // Karpenter reads a profile by name before it exists (instanceprofile.go `Create` calls `Get` first) and, on an
    // EC2NodeClass's deletion, the path-less legacy `<cluster>_<hash>` profile (pkg/controllers/nodeclass/controller.go
    // `cleanupLegacyInstanceProfile`): IAM can match a profile it does not know only on its path-less ARN, and an
    // AccessDenied there (instead of NoSuchEntity) would stop both the creation and the node class's finalizer.
    const instanceProfileLookups = [instanceProfiles, `arn:aws:iam::${a.accountId}:instance-profile/${a.clusterName}_*`];
    return {
        "node-lifecycle": policyDocument(
            {
                Sid: "AllowScopedEC2InstanceAccessActions",
                Effect: "Allow",
                Resource: [
                    `arn:aws:ec2:${a.region}::image/*`,
                    `arn:aws:ec2:${a.region}::snapshot/*`,
                    ec2("security-group"),
                    ec2("subnet"),
                    ec2("capacity-reservation"),
                    ec2("placement-group"),
                ],
                Action: ["ec2:RunInstances", "ec2:CreateFleet"],
            },
            {
                Sid: "AllowScopedEC2LaunchTemplateAccessActions",
                Effect: "Allow",
                Resource: ec2("launch-template"),
                Action: ["ec2:RunInstances", "ec2:CreateFleet"],
                Condition: { StringEquals: ownedByCluster, StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" } },
            },
            {
                Sid: "AllowScopedEC2InstanceActionsWithTags",
                Effect: "Allow",
                Resource: taggedResources,
                Action: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
                Condition: { StringEquals: requestOwnedByCluster, StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" } },
            },
            {
                Sid: "AllowScopedResourceCreationTagging",
                Effect: "Allow",
                Resource: taggedResources,
                Action: "ec2:CreateTags",
                Condition: {
                    StringEquals: { ...requestOwnedByCluster, "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"] },
                    StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
                },
            },
            {
                Sid: "AllowScopedResourceTagging",
                Effect: "Allow",
                Resource: ec2("instance"),
                Action: "ec2:CreateTags",
                Condition: {
                    StringEquals: ownedByCluster,
                    StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
                    StringEqualsIfExists: { "aws:RequestTag/eks:eks-cluster-name": a.clusterName },
                    "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
                },
            },
            {
                Sid: "AllowScopedDeletion",
                Effect: "Allow",
                Resource: [ec2("instance"), ec2("launch-template")],
                Action: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
                Condition: { StringEquals: ownedByCluster, StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" } },
            },
            {
                Sid: "AllowVolumeKeyForLaunches",
                Effect: "Allow",
                Resource: a.volumeKeyArn,
                Action: [
                    "kms:CreateGrant",
                    "kms:Decrypt",
                    "kms:DescribeKey",
                    "kms:GenerateDataKeyWithoutPlaintext",
                    "kms:ReEncryptFrom",
                    "kms:ReEncryptTo",
                ],
                Condition: { StringEquals: { "kms:ViaService": `ec2.${a.region}.amazonaws.com` } },
            },
        ),
        "iam-integration": policyDocument(
            {
                Sid: "AllowPassingInstanceRole",
                Effect: "Allow",
                Resource: a.nodeRoleArn,
                Action: "iam:PassRole",
                Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
            },
            {
                Sid: "AllowScopedInstanceProfileCreationActions",
                Effect: "Allow",
                Resource: instanceProfiles,
                Action: "iam:CreateInstanceProfile",
                Condition: {
                    StringEquals: { ...requestOwnedByCluster, "aws:RequestTag/topology.kubernetes.io/region": a.region },
                    StringLike: { "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
                },
            },
            {
                // No code of Karpenter v1.14.1 calls TagInstanceProfile (pkg/aws/sdk.go declares it); kept as the reference
                // policy grants it, for the tags CreateInstanceProfile carries (the node class's InstanceProfileTags).
                Sid: "AllowScopedInstanceProfileTagActions",
                Effect: "Allow",
                Resource: instanceProfiles,
                Action: "iam:TagInstanceProfile",
                Condition: {
                    StringEquals: {
                        ...ownedByCluster,
                        "aws:ResourceTag/topology.kubernetes.io/region": a.region,
                        ...requestOwnedByCluster,
                        "aws:RequestTag/topology.kubernetes.io/region": a.region,
                    },
                    StringLike: {
                        "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*",
                        "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*",
                    },
                },
            },
            {
                Sid: "AllowScopedInstanceProfileActions",
                Effect: "Allow",
                Resource: instanceProfiles,
                Action: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
                Condition: {
                    StringEquals: { ...ownedByCluster, "aws:ResourceTag/topology.kubernetes.io/region": a.region },
                    StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*" },
                },
            },
            { Sid: "AllowInstanceProfileReadActions", Effect: "Allow", Resource: instanceProfileLookups, Action: "iam:GetInstanceProfile" },
            {
                // IAM's Service Authorization Reference gives ListInstanceProfiles no resource type, so it stays `*` as
                // upstream has it; Karpenter lists only under its path prefix (instanceprofile.go `ListProfiles`).
                Sid: "AllowUnscopedInstanceProfileListAction",
                Effect: "Allow",
                Resource: "*",
                Action: "iam:ListInstanceProfiles",
            },
        ),
        "eks-integration": policyDocument(
            {
                Sid: "AllowAPIServerEndpointDiscovery",
                Effect: "Allow",
                Resource: `arn:aws:eks:${a.region}:${a.accountId}:cluster/${a.clusterName}`,
                Action: "eks:DescribeCluster",
            },
            {
                Sid: "AllowZonalShiftStatusReadOnly",
                Effect: "Allow",
                Resource: "*",
                Action: "arc-zonal-shift:GetManagedResource",
                Condition: {
                    StringEquals: {
                        "arc-zonal-shift:ResourceIdentifier": `arn:aws:eks:${a.region}:${a.accountId}:cluster/${a.clusterName}`,
                    },
                },
            },
        ),
        interruption: policyDocument({
            Sid: "AllowInterruptionQueueActions",
            Effect: "Allow",
            Resource: a.interruptionQueueArn,
            Action: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
        }),
        "resource-discovery": policyDocument(
            {
                Sid: "AllowRegionalReadActions",
                Effect: "Allow",
                Resource: "*",
                Action: [
                    "ec2:DescribeCapacityReservations",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstances",
                    "ec2:DescribeInstanceStatus",
                    "ec2:DescribeInstanceTypeOfferings",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplates",
                    "ec2:DescribePlacementGroups",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeSpotPriceHistory",
                    "ec2:DescribeSubnets",
                ],
                Condition: { StringEquals: { "aws:RequestedRegion": a.region } },
            },
            {
                Sid: "AllowSSMReadActions",
                Effect: "Allow",
                Resource: `arn:aws:ssm:${a.region}::parameter/aws/service/*`,
                Action: "ssm:GetParameter",
            },
            { Sid: "AllowPricingReadActions", Effect: "Allow", Resource: "*", Action: "pricing:GetProducts" },
        ),
    };
}

/** The EventBridge rules whose events tell Karpenter to drain a node before it goes away. */
export const INTERRUPTION_RULES = {
    "scheduled-change": { source: ["aws.health"], "detail-type": ["AWS Health Event"] },
    "spot-interruption": { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] },
    rebalance: { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] },
    "instance-state-change": { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
    "capacity-reservation-interruption": { source: ["aws.ec2"], "detail-type": ["EC2 Capacity Reservation Instance Interruption Warning"] },
} as const;

/** Queue policy: EventBridge (and SQS itself) may send; nothing over plain HTTP. */
export function interruptionQueuePolicy(queueArn: string): PolicyDocument {
    return policyDocument(
        {
            Sid: "EventBridgeDelivers",
            Effect: "Allow",
            Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] },
            Action: "sqs:SendMessage",
            Resource: queueArn,
        },
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "sqs:*",
            Resource: queueArn,
            Condition: { Bool: { "aws:SecureTransport": false } },
        },
    );
}
