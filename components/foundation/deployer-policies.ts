/**
 * Trust and permissions of the CI roles. Trust is pinned to one project through the OIDC `sub`
 * and `aud` claims; deploy permissions are scoped to the environment's resource-name prefix and,
 * where AWS supports it, to the environment org tag.
 */
import { PolicyDocument, policyDocument, Statement } from "../shared/iam-documents";
import { karpenterInstanceProfileArns } from "../karpenter/policy";

export type CiProvider = "gitlab" | "github";

export interface TrustContext {
    readonly provider: CiProvider;
    readonly oidcProviderArn: string;
    /** Issuer host, the prefix of the condition keys (e.g. `gitlab.com`). */
    readonly issuerHost: string;
    /** `group/project` (GitLab) or `owner/repo` (GitHub). */
    readonly project: string;
    readonly protectedBranch: string;
    readonly audiencePrefix: string;
    /** GitLab: the protected ref per environment (`branch` or `tag:<pattern>`). @default - see deployRefFor */
    readonly environmentRefs?: Readonly<Record<string, string>>;
}

function webIdentity(ctx: TrustContext, conditions: Statement["Condition"]): PolicyDocument {
    return policyDocument({
        Effect: "Allow",
        Principal: { Federated: ctx.oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: conditions,
    });
}

/** The audience a GitLab job requests for a role (`id_tokens: … aud:`); GitHub always uses STS's. */
export function audienceFor(ctx: Pick<TrustContext, "provider" | "audiencePrefix">, target: string): string {
    return ctx.provider === "github" ? "sts.amazonaws.com" : `${ctx.audiencePrefix}-${target}`;
}

/** Merge-request (pull-request) pipelines of the project only. */
export function previewTrustPolicy(ctx: TrustContext): PolicyDocument {
    const aud = `${ctx.issuerHost}:aud`;
    const sub = `${ctx.issuerHost}:sub`;
    return ctx.provider === "github"
        ? webIdentity(ctx, { StringEquals: { [aud]: audienceFor(ctx, "preview"), [sub]: `repo:${ctx.project}:pull_request` } })
        : // GitLab's sub names no pipeline source: any branch of the project gets the preview role, which
          // therefore reads only (no state writes beyond its lock, no secret values).
          webIdentity(ctx, {
              StringEquals: { [aud]: audienceFor(ctx, "preview") },
              StringLike: { [sub]: `project_path:${ctx.project}:ref_type:branch:ref:*` },
          });
}

/**
 * The protected ref each environment deploys from on GitLab: GitLab's `sub` carries the project and
 * the ref but no environment, and the audience is whatever the job asks for, so environments are
 * told apart by ref. `dev` deploys from the protected branch; the others from their own protected
 * branch `<protectedBranch>-<environment>` unless `refs` names one (a protected branch, or a
 * protected tag pattern such as `tag:prod-*`).
 */
export function deployRefFor(ctx: Pick<TrustContext, "protectedBranch" | "environmentRefs">, environment: string): string {
    const ref =
        ctx.environmentRefs?.[environment] ?? (environment === "dev" ? ctx.protectedBranch : `${ctx.protectedBranch}-${environment}`);
    return ref.startsWith("tag:") ? `ref_type:tag:ref:${ref.slice(4)}` : `ref_type:branch:ref:${ref}`;
}

/** The protected ref of the environment (GitLab, with the environment's audience) or the environment's jobs (GitHub). */
export function deployTrustPolicy(ctx: TrustContext, environment: string): PolicyDocument {
    const aud = `${ctx.issuerHost}:aud`;
    const sub = `${ctx.issuerHost}:sub`;
    if (ctx.provider === "github") {
        return webIdentity(ctx, {
            StringEquals: { [aud]: audienceFor(ctx, environment), [sub]: `repo:${ctx.project}:environment:${environment}` },
        });
    }
    const ref = deployRefFor(ctx, environment);
    return ref.includes("*")
        ? webIdentity(ctx, {
              StringEquals: { [aud]: audienceFor(ctx, environment) },
              StringLike: { [sub]: `project_path:${ctx.project}:${ref}` },
          })
        : webIdentity(ctx, { StringEquals: { [aud]: audienceFor(ctx, environment), [sub]: `project_path:${ctx.project}:${ref}` } });
}

/** A third party's account, only with the agreed External ID. */
export function thirdPartyTrustPolicy(accountId: string, externalId: string): PolicyDocument {
    return policyDocument({
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": externalId } },
    });
}

// ---------------------------------------------------------------------------------------------
// State backend.

export interface StateAccess {
    readonly stateBucketArn: string;
    /** The state bucket's own SSE-KMS key. */
    readonly stateKeyArn: string;
    /** The Pulumi secrets-provider key. */
    readonly secretsKeyArn: string;
    readonly region: string;
    /** The platform project's name: state objects live under `.pulumi/<kind>/<project>/<stack>`. */
    readonly project: string;
    /** The foundation's stack in the same bucket: the platform's StackReference reads its checkpoint. @default - none */
    readonly foundationStack?: { readonly project: string; readonly stack: string };
}

/** The object keys of one stack (or `*`) in Pulumi's S3 (DIY) backend, project-scoped layout. */
export function stackObjects(bucketArn: string, project: string, stack: string): string[] {
    return [
        `${bucketArn}/.pulumi/stacks/${project}/${stack}.json`,
        `${bucketArn}/.pulumi/stacks/${project}/${stack}.json.*`,
        `${bucketArn}/.pulumi/history/${project}/${stack}/*`,
        `${bucketArn}/.pulumi/backups/${project}/${stack}/*`,
        `${bucketArn}/.pulumi/locks/*/${project}/${stack}/*`,
    ];
}

function stateKeyUse(a: StateAccess, actions: string[]): Statement {
    return {
        Sid: "StateBucketKey",
        Effect: "Allow",
        Action: actions,
        Resource: a.stateKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `s3.${a.region}.amazonaws.com` } },
    };
}

/** Read-only: the foundation's checkpoint, whose outputs a platform stack's StackReference reads (pulumi/pulumi pkg/backend/diy). */
function foundationOutputs(a: StateAccess): Statement[] {
    return a.foundationStack
        ? [
              {
                  Sid: "FoundationOutputs",
                  Effect: "Allow",
                  Action: "s3:GetObject",
                  Resource: stackObjects(a.stateBucketArn, a.foundationStack.project, a.foundationStack.stack).slice(0, 2),
              },
          ]
        : [];
}

function stateListing(a: StateAccess): Statement[] {
    return [
        ...foundationOutputs(a),
        {
            Sid: "StateListing",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: a.stateBucketArn,
            Condition: { StringLike: { "s3:prefix": [".pulumi/*", ".pulumi"] } },
        },
        { Sid: "StateBucket", Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:GetBucketVersioning"], Resource: a.stateBucketArn },
        { Sid: "BackendMeta", Effect: "Allow", Action: "s3:GetObject", Resource: `${a.stateBucketArn}/.pulumi/meta.yaml` },
    ];
}

/** A deploy role: reads and writes its own environment's stack, uses both keys. */
export function deployStateAccessPolicy(a: StateAccess, environment: string): PolicyDocument {
    return policyDocument(
        ...stateListing(a),
        {
            Sid: "OwnStackObjects",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            Resource: stackObjects(a.stateBucketArn, a.project, environment),
        },
        stateKeyUse(a, ["kms:Decrypt", "kms:GenerateDataKey"]),
        {
            Sid: "SecretsProvider",
            Effect: "Allow",
            Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            Resource: a.secretsKeyArn,
        },
    );
}

/**
 * The preview role: reads every platform stack, writes only lock objects, decrypts the
 * secrets-provider data key (the CLI needs it to load a stack) but can encrypt nothing.
 */
export function previewStateAccessPolicy(a: StateAccess): PolicyDocument {
    return policyDocument(
        ...stateListing(a),
        { Sid: "ReadStacks", Effect: "Allow", Action: "s3:GetObject", Resource: stackObjects(a.stateBucketArn, a.project, "*") },
        {
            Sid: "PreviewLocks",
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:DeleteObject"],
            Resource: `${a.stateBucketArn}/.pulumi/locks/*/${a.project}/*`,
        },
        stateKeyUse(a, ["kms:Decrypt", "kms:GenerateDataKey"]),
        { Sid: "SecretsProviderDecrypt", Effect: "Allow", Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: a.secretsKeyArn },
    );
}

// ---------------------------------------------------------------------------------------------
// Deploy permissions.

/** Managed policies a deploy role may attach to its environment's roles; nothing else. */
export const ATTACHABLE_MANAGED_POLICIES: readonly string[] = [
    "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
];

/** Services a deploy role may create the service-linked role of (see service-linked-roles.ts). */
export const CREATABLE_SERVICE_LINKED_ROLES: readonly string[] = [
    "eks.amazonaws.com",
    "eks-nodegroup.amazonaws.com",
    "autoscaling.amazonaws.com",
    "spot.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
];

/** The foundation's own resources: no deploy role may change them. */
export interface FoundationResources {
    readonly stateBucketArn: string;
    readonly keyArns: readonly string[];
    readonly ciOidcProviderArn: string;
}

export interface DeployScope {
    readonly region: string;
    readonly accountId: string;
    /** Resource-name prefix of the environment, e.g. `cip-dev`. */
    readonly prefix: string;
    /** Prefix of every name (`cip`): the foundation's roles are `<namePrefix>-deployer-*`. */
    readonly namePrefix?: string;
    readonly environment: string;
    /** Org tag key carrying the environment. */
    readonly environmentTagKey: string;
    /** The boundary every role and user the deploy role creates must carry. @default workloadBoundaryArn(...) */
    readonly workloadBoundaryArn?: string;
    /** @default - none named (the name patterns still exclude them) */
    readonly foundation?: FoundationResources;
}

/** The workload boundary of an environment: an IAM policy the foundation creates. */
export function workloadBoundaryArn(accountId: string, prefix: string): string {
    return `arn:aws:iam::${accountId}:policy/ciplatform/${prefix}-workload-boundary`;
}

const EC2_CREATE_ACTIONS = [
    "ec2:AllocateAddress",
    "ec2:CreateFlowLogs",
    "ec2:CreateInternetGateway",
    "ec2:CreateLaunchTemplate",
    "ec2:CreateNatGateway",
    "ec2:CreateRouteTable",
    "ec2:CreateSecurityGroup",
    "ec2:CreateSubnet",
    "ec2:CreateVpc",
];
const EC2_CHANGE_ACTIONS = [
    "ec2:AssociateRouteTable",
    "ec2:AttachInternetGateway",
    "ec2:AuthorizeSecurityGroupEgress",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:CreateLaunchTemplateVersion",
    "ec2:CreateRoute",
    "ec2:DeleteFlowLogs",
    "ec2:DeleteInternetGateway",
    "ec2:DeleteLaunchTemplate",
    "ec2:DeleteNatGateway",
    "ec2:DeleteRoute",
    "ec2:DeleteRouteTable",
    "ec2:DeleteSecurityGroup",
    "ec2:DeleteSubnet",
    "ec2:DeleteVpc",
    "ec2:DetachInternetGateway",
    "ec2:DisassociateRouteTable",
    "ec2:ModifyLaunchTemplate",
    "ec2:ModifySecurityGroupRules",
    "ec2:ModifySubnetAttribute",
    "ec2:ModifyVpcAttribute",
    "ec2:ReleaseAddress",
    "ec2:ReplaceRoute",
    "ec2:ReplaceRouteTableAssociation",
    "ec2:RevokeSecurityGroupEgress",
    "ec2:RevokeSecurityGroupIngress",
];
/** EC2 reads: IAM cannot scope Describe calls to a resource. */
export const EC2_READ_ACTIONS = [
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

/** Every call that adds or removes tags, by service (incl. creates that tag on creation). */
const TAG_ACTIONS = [
    "eks:CreateCluster",
    "ec2:CreateTags",
    "ec2:DeleteTags",
    "eks:TagResource",
    "eks:UntagResource",
    "kms:TagResource",
    "kms:UntagResource",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:TagUser",
    "iam:UntagUser",
    "iam:TagOpenIDConnectProvider",
    "iam:UntagOpenIDConnectProvider",
    "logs:TagResource",
    "logs:UntagResource",
    "events:TagResource",
    "events:UntagResource",
    "sqs:TagQueue",
    "sqs:UntagQueue",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "acm-pca:TagCertificateAuthority",
    "acm-pca:UntagCertificateAuthority",
    "acm:AddTagsToCertificate",
    "acm:RemoveTagsFromCertificate",
];
/** Calls that would let a key's holder take it over or destroy it. */
const KEY_TAKEOVER_ACTIONS = [
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "kms:CreateGrant",
    "kms:UpdateAlias",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:TagResource",
    "kms:UntagResource",
];

/**
 * What deploying one environment needs, by purpose: names under the environment's prefix, and the
 * environment tag (request tag on create, resource tag after) where AWS cannot scope by name (EC2,
 * KMS keys, ACM PCA). Explicit denies guard what the allows cannot express: the environment tag
 * never moves to or from another environment, other environments' keys are never taken over, and
 * the foundation's own resources are out of reach.
 */
export function deployPermissions(s: DeployScope): Record<string, PolicyDocument> {
    const arn = (service: string, resource: string, region = s.region): string => `arn:aws:${service}:${region}:${s.accountId}:${resource}`;
    const iam = (resource: string): string => `arn:aws:iam::${s.accountId}:${resource}`;
    const key = s.environmentTagKey;
    const tagged = { StringEquals: { [`aws:ResourceTag/${key}`]: s.environment } };
    const taggedOnCreate = { StringEquals: { [`aws:RequestTag/${key}`]: s.environment } };
    const boundary = s.workloadBoundaryArn ?? workloadBoundaryArn(s.accountId, s.prefix);
    const withBoundary = { StringEquals: { "iam:PermissionsBoundary": boundary } };
    const ec2All = `arn:aws:ec2:${s.region}:${s.accountId}:*`;
    const namePrefix = s.namePrefix ?? s.prefix.split("-")[0];
    const foundation = s.foundation;
    return {
        network: policyDocument(
            { Sid: "Ec2Reads", Effect: "Allow", Action: EC2_READ_ACTIONS, Resource: "*" },
            { Sid: "VpcAttributeReads", Effect: "Allow", Action: "ec2:DescribeVpcAttribute", Resource: ec2All },
            { Sid: "CreateTaggedForEnvironment", Effect: "Allow", Action: EC2_CREATE_ACTIONS, Resource: ec2All, Condition: taggedOnCreate },
            {
                Sid: "UseEnvironmentResources",
                Effect: "Allow",
                Action: [...EC2_CREATE_ACTIONS, ...EC2_CHANGE_ACTIONS],
                Resource: ec2All,
                Condition: tagged,
            },
            {
                Sid: "TagOnCreate",
                Effect: "Allow",
                Action: "ec2:CreateTags",
                Resource: ec2All,
                Condition: {
                    StringEquals: {
                        "ec2:CreateAction": EC2_CREATE_ACTIONS.map((a) => a.slice(4)),
                        [`aws:RequestTag/${key}`]: s.environment,
                    },
                },
            },
            {
                Sid: "RetagEnvironmentResources",
                Effect: "Allow",
                Action: ["ec2:CreateTags", "ec2:DeleteTags"],
                Resource: ec2All,
                Condition: tagged,
            },
            {
                // The VPC's default security group exists untagged until the provider adopts it.
                Sid: "AdoptUntaggedIntoEnvironment",
                Effect: "Allow",
                Action: "ec2:CreateTags",
                Resource: `arn:aws:ec2:${s.region}:${s.accountId}:security-group/*`,
                Condition: { ...taggedOnCreate, Null: { [`aws:ResourceTag/${key}`]: "true" } },
            },
            {
                // The cluster security group is EKS's: tagged `aws:eks:cluster-name` (only AWS can set `aws:` tags), not with ours.
                Sid: "RulesOnTheEnvironmentsClusterSecurityGroup",
                Effect: "Allow",
                Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:ModifySecurityGroupRules"],
                Resource: `arn:aws:ec2:${s.region}:${s.accountId}:security-group/*`,
                Condition: { StringEquals: { "aws:ResourceTag/aws:eks:cluster-name": s.prefix } },
            },
            {
                Sid: "CreateTaggedSecurityGroupRules",
                Effect: "Allow",
                Action: "ec2:AuthorizeSecurityGroupIngress",
                Resource: `arn:aws:ec2:${s.region}:${s.accountId}:security-group-rule/*`,
                Condition: taggedOnCreate,
            },
            {
                Sid: "TagSecurityGroupRulesOnCreate",
                Effect: "Allow",
                Action: "ec2:CreateTags",
                Resource: `arn:aws:ec2:${s.region}:${s.accountId}:security-group-rule/*`,
                Condition: {
                    StringEquals: { "ec2:CreateAction": "AuthorizeSecurityGroupIngress", [`aws:RequestTag/${key}`]: s.environment },
                },
            },
        ),
        cluster: policyDocument(
            {
                Sid: "EnvironmentCluster",
                Effect: "Allow",
                Action: [
                    "eks:DeleteCluster",
                    "eks:DescribeCluster",
                    "eks:DescribeUpdate",
                    "eks:UpdateClusterConfig",
                    "eks:UpdateClusterVersion",
                    "eks:AssociateEncryptionConfig",
                    "eks:TagResource",
                    "eks:UntagResource",
                    "eks:CreateAddon",
                    "eks:DeleteAddon",
                    "eks:DescribeAddon",
                    "eks:UpdateAddon",
                    "eks:CreateNodegroup",
                    "eks:DeleteNodegroup",
                    "eks:DescribeNodegroup",
                    "eks:UpdateNodegroupConfig",
                    "eks:UpdateNodegroupVersion",
                    "eks:CreateAccessEntry",
                    "eks:DeleteAccessEntry",
                    "eks:DescribeAccessEntry",
                    "eks:UpdateAccessEntry",
                    "eks:AssociateAccessPolicy",
                    "eks:DisassociateAccessPolicy",
                    "eks:ListAssociatedAccessPolicies",
                ],
                Resource: [
                    arn("eks", `cluster/${s.prefix}`),
                    arn("eks", `nodegroup/${s.prefix}/*`),
                    arn("eks", `addon/${s.prefix}/*`),
                    arn("eks", `access-entry/${s.prefix}/*`),
                ],
            },
            {
                Sid: "EnvironmentLogGroups",
                Effect: "Allow",
                Action: [
                    "logs:CreateLogGroup",
                    "logs:DeleteLogGroup",
                    "logs:PutRetentionPolicy",
                    "logs:DeleteRetentionPolicy",
                    "logs:AssociateKmsKey",
                    "logs:DisassociateKmsKey",
                    "logs:TagResource",
                    "logs:UntagResource",
                    "logs:ListTagsForResource",
                ],
                Resource: [arn("logs", `log-group:/aws/eks/${s.prefix}/*`), arn("logs", `log-group:/ciplatform/${s.prefix}-*`)],
            },
            { Sid: "LogGroupReads", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
            // CreateCluster takes no resource: the name is the environment's by the tag the cluster must carry.
            { Sid: "CreateTaggedCluster", Effect: "Allow", Action: "eks:CreateCluster", Resource: "*", Condition: taggedOnCreate },
            {
                Sid: "EnvironmentQueues",
                Effect: "Allow",
                Action: [
                    "sqs:CreateQueue",
                    "sqs:DeleteQueue",
                    "sqs:GetQueueUrl",
                    "sqs:GetQueueAttributes",
                    "sqs:SetQueueAttributes",
                    "sqs:ListQueueTags",
                    "sqs:TagQueue",
                    "sqs:UntagQueue",
                ],
                Resource: [arn("sqs", s.prefix), arn("sqs", `${s.prefix}-*`)],
            },
            {
                Sid: "EnvironmentRules",
                Effect: "Allow",
                Action: [
                    "events:PutRule",
                    "events:DeleteRule",
                    "events:DescribeRule",
                    "events:EnableRule",
                    "events:DisableRule",
                    "events:PutTargets",
                    "events:RemoveTargets",
                    "events:ListTargetsByRule",
                    "events:ListTagsForResource",
                    "events:TagResource",
                    "events:UntagResource",
                ],
                Resource: arn("events", `rule/${s.prefix}-*`),
            },
            { Sid: "ProviderIdentity", Effect: "Allow", Action: "sts:GetCallerIdentity", Resource: "*" },
            {
                Sid: "PublicAmiParameters",
                Effect: "Allow",
                Action: "ssm:GetParameter",
                Resource: [
                    `arn:aws:ssm:${s.region}::parameter/aws/service/*`,
                    `arn:aws:ssm:${s.region}:${s.accountId}:parameter/aws/service/*`,
                ],
            },
            {
                Sid: "ServiceLinkedRoles",
                Effect: "Allow",
                Action: "iam:CreateServiceLinkedRole",
                Resource: iam("role/aws-service-role/*"),
                Condition: { StringEquals: { "iam:AWSServiceName": [...CREATABLE_SERVICE_LINKED_ROLES] } },
            },
        ),
        identity: policyDocument(
            {
                Sid: "CreateRolesWithinTheBoundary",
                Effect: "Allow",
                Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
                Resource: iam(`role/${s.prefix}-*`),
                Condition: withBoundary,
            },
            {
                Sid: "EnvironmentRoles",
                Effect: "Allow",
                Action: [
                    "iam:DeleteRole",
                    "iam:GetRole",
                    "iam:TagRole",
                    "iam:UntagRole",
                    "iam:UpdateRole",
                    "iam:UpdateAssumeRolePolicy",
                    "iam:UpdateRoleDescription",
                    "iam:PutRolePolicy",
                    "iam:GetRolePolicy",
                    "iam:DeleteRolePolicy",
                    "iam:ListRolePolicies",
                    "iam:ListAttachedRolePolicies",
                    "iam:ListInstanceProfilesForRole",
                ],
                Resource: iam(`role/${s.prefix}-*`),
            },
            {
                Sid: "AttachReviewedManagedPolicies",
                Effect: "Allow",
                Action: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
                Resource: iam(`role/${s.prefix}-*`),
                Condition: { ArnEquals: { "iam:PolicyARN": [...ATTACHABLE_MANAGED_POLICIES] } },
            },
            {
                Sid: "KarpenterInstanceProfilesOnRoleDelete",
                Effect: "Allow",
                Action: "iam:RemoveRoleFromInstanceProfile",
                // Karpenter's profiles carry its path (karpenter-provider-aws v1.14.1 pkg/providers/instanceprofile/instanceprofile.go).
                Resource: [
                    karpenterInstanceProfileArns(s.accountId, s.region, s.prefix),
                    karpenterInstanceProfileArns(s.accountId, s.region, `${s.prefix}-*`),
                ],
            },
            {
                Sid: "PassEnvironmentRolesToTheirServices",
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: iam(`role/${s.prefix}-*`),
                Condition: {
                    StringEquals: { "iam:PassedToService": ["eks.amazonaws.com", "ec2.amazonaws.com", "vpc-flow-logs.amazonaws.com"] },
                },
            },
            {
                Sid: "CreateUsersWithinTheBoundary",
                Effect: "Allow",
                Action: "iam:CreateUser",
                Resource: [iam(`user/${s.prefix}-*`), iam(`user/ciplatform/${s.prefix}-*`)],
                Condition: withBoundary,
            },
            {
                Sid: "EnvironmentUsers",
                Effect: "Allow",
                Action: [
                    "iam:DeleteUser",
                    "iam:GetUser",
                    "iam:UpdateUser",
                    "iam:TagUser",
                    "iam:UntagUser",
                    "iam:PutUserPolicy",
                    "iam:GetUserPolicy",
                    "iam:DeleteUserPolicy",
                    "iam:CreateAccessKey",
                    "iam:ListAccessKeys",
                    "iam:UpdateAccessKey",
                    "iam:DeleteAccessKey",
                ],
                Resource: [iam(`user/${s.prefix}-*`), iam(`user/ciplatform/${s.prefix}-*`)],
            },
            {
                Sid: "ClusterOidcProvider",
                Effect: "Allow",
                Action: [
                    "iam:CreateOpenIDConnectProvider",
                    "iam:DeleteOpenIDConnectProvider",
                    "iam:GetOpenIDConnectProvider",
                    "iam:TagOpenIDConnectProvider",
                    "iam:UntagOpenIDConnectProvider",
                    "iam:UpdateOpenIDConnectProviderThumbprint",
                    "iam:AddClientIDToOpenIDConnectProvider",
                    "iam:RemoveClientIDFromOpenIDConnectProvider",
                ],
                Resource: iam(`oidc-provider/oidc.eks.${s.region}.amazonaws.com/id/*`),
            },
            {
                Sid: "EnvironmentSecrets",
                Effect: "Allow",
                Action: [
                    "secretsmanager:CreateSecret",
                    "secretsmanager:DeleteSecret",
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetResourcePolicy",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecret",
                    "secretsmanager:UpdateSecretVersionStage",
                    "secretsmanager:TagResource",
                    "secretsmanager:UntagResource",
                ],
                Resource: arn("secretsmanager", `secret:${s.prefix}/*`),
            },
        ),
        data: policyDocument(
            {
                Sid: "EnvironmentBuckets",
                Effect: "Allow",
                Action: [
                    "s3:CreateBucket",
                    "s3:DeleteBucket",
                    "s3:ListBucket",
                    "s3:GetBucketTagging",
                    "s3:PutBucketTagging",
                    "s3:GetBucketPolicy",
                    "s3:PutBucketPolicy",
                    "s3:DeleteBucketPolicy",
                    "s3:GetBucketAcl",
                    "s3:GetBucketCORS",
                    "s3:GetBucketWebsite",
                    "s3:GetAccelerateConfiguration",
                    "s3:GetBucketRequestPayment",
                    "s3:GetBucketLogging",
                    "s3:GetReplicationConfiguration",
                    "s3:GetBucketObjectLockConfiguration",
                    "s3:GetEncryptionConfiguration",
                    "s3:PutEncryptionConfiguration",
                    "s3:GetBucketVersioning",
                    "s3:PutBucketVersioning",
                    "s3:GetLifecycleConfiguration",
                    "s3:PutLifecycleConfiguration",
                    "s3:GetBucketPublicAccessBlock",
                    "s3:PutBucketPublicAccessBlock",
                    "s3:GetBucketOwnershipControls",
                    "s3:PutBucketOwnershipControls",
                ],
                Resource: `arn:aws:s3:::${s.prefix}-*`,
            },
            { Sid: "CreateTaggedKeys", Effect: "Allow", Action: "kms:CreateKey", Resource: "*", Condition: taggedOnCreate },
            { Sid: "TagNewKeys", Effect: "Allow", Action: "kms:TagResource", Resource: arn("kms", "key/*"), Condition: taggedOnCreate },
            { Sid: "ListAliases", Effect: "Allow", Action: "kms:ListAliases", Resource: "*" },
            {
                Sid: "ManageEnvironmentKeys",
                Effect: "Allow",
                Action: [
                    "kms:DescribeKey",
                    "kms:EnableKey",
                    "kms:DisableKey",
                    "kms:EnableKeyRotation",
                    "kms:DisableKeyRotation",
                    "kms:GetKeyPolicy",
                    "kms:GetKeyRotationStatus",
                    "kms:PutKeyPolicy",
                    "kms:ScheduleKeyDeletion",
                    "kms:ListResourceTags",
                    "kms:UpdateKeyDescription",
                    "kms:TagResource",
                    "kms:UntagResource",
                    "kms:CreateGrant",
                    "kms:CreateAlias",
                    "kms:UpdateAlias",
                    "kms:DeleteAlias",
                ],
                Resource: arn("kms", "key/*"),
                Condition: tagged,
            },
            {
                // Writing secret values: Secrets Manager uses the caller's own KMS permissions.
                Sid: "SecretValuesWithEnvironmentKeys",
                Effect: "Allow",
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: arn("kms", "key/*"),
                Condition: {
                    StringEquals: {
                        [`aws:ResourceTag/${key}`]: s.environment,
                        "kms:ViaService": `secretsmanager.${s.region}.amazonaws.com`,
                    },
                },
            },
            {
                Sid: "EnvironmentAliases",
                Effect: "Allow",
                Action: ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"],
                Resource: arn("kms", `alias/${s.prefix}/*`),
            },
            {
                Sid: "EnvironmentCertificateAuthority",
                Effect: "Allow",
                Action: [
                    "acm-pca:DescribeCertificateAuthority",
                    "acm-pca:GetCertificateAuthorityCsr",
                    "acm-pca:GetCertificateAuthorityCertificate",
                    "acm-pca:ImportCertificateAuthorityCertificate",
                    "acm-pca:IssueCertificate",
                    "acm-pca:GetCertificate",
                    "acm-pca:RevokeCertificate",
                    "acm-pca:ListTags",
                    "acm-pca:CreatePermission",
                    "acm-pca:DeletePermission",
                    "acm-pca:ListPermissions",
                    "acm-pca:UpdateCertificateAuthority",
                    "acm-pca:DeleteCertificateAuthority",
                    "acm-pca:TagCertificateAuthority",
                    "acm-pca:UntagCertificateAuthority",
                ],
                Resource: arn("acm-pca", "certificate-authority/*"),
                Condition: tagged,
            },
            {
                Sid: "CreateTaggedCertificateAuthority",
                Effect: "Allow",
                Action: "acm-pca:CreateCertificateAuthority",
                Resource: "*",
                Condition: taggedOnCreate,
            },
            {
                Sid: "TagNewCertificateAuthority",
                Effect: "Allow",
                Action: "acm-pca:TagCertificateAuthority",
                Resource: arn("acm-pca", "certificate-authority/*"),
                Condition: taggedOnCreate,
            },
            {
                // Private certificates only (from a CA of this account), tagged for the environment; RequestCertificate takes no resource.
                Sid: "RequestTaggedPrivateCertificates",
                Effect: "Allow",
                Action: "acm:RequestCertificate",
                Resource: "*",
                Condition: { ...taggedOnCreate, ArnLike: { "acm:CertificateAuthority": arn("acm-pca", "certificate-authority/*") } },
            },
            {
                Sid: "TagNewCertificates",
                Effect: "Allow",
                Action: "acm:AddTagsToCertificate",
                Resource: arn("acm", "certificate/*"),
                Condition: taggedOnCreate,
            },
            {
                Sid: "EnvironmentCertificates",
                Effect: "Allow",
                Action: [
                    "acm:DescribeCertificate",
                    "acm:ListTagsForCertificate",
                    "acm:AddTagsToCertificate",
                    "acm:RemoveTagsFromCertificate",
                    "acm:DeleteCertificate",
                ],
                Resource: arn("acm", "certificate/*"),
                Condition: tagged,
            },
        ),
        guard: policyDocument(
            {
                Sid: "EnvironmentTagStaysInEnvironment",
                Effect: "Deny",
                Action: [
                    ...TAG_ACTIONS,
                    ...EC2_CREATE_ACTIONS,
                    "kms:CreateKey",
                    "acm-pca:CreateCertificateAuthority",
                    "acm:RequestCertificate",
                    "iam:CreateRole",
                    "iam:CreateUser",
                ],
                Resource: "*",
                Condition: {
                    "ForAnyValue:StringEquals": { "aws:TagKeys": [key] },
                    StringNotEquals: { [`aws:RequestTag/${key}`]: s.environment },
                },
            },
            {
                Sid: "NeverUntagTheEnvironment",
                Effect: "Deny",
                Action: TAG_ACTIONS.filter((a) => /Untag|DeleteTags|RemoveTags/.test(a)),
                Resource: "*",
                Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": [key] } },
            },
            {
                Sid: "OtherEnvironmentsKeysAndResources",
                Effect: "Deny",
                Action: [...KEY_TAKEOVER_ACTIONS, ...TAG_ACTIONS.filter((a) => !a.startsWith("kms:"))],
                Resource: "*",
                Condition: {
                    StringNotEquals: { [`aws:ResourceTag/${key}`]: s.environment },
                    Null: { [`aws:ResourceTag/${key}`]: "false" },
                },
            },
            {
                Sid: "NoManagedPolicyAuthoring",
                Effect: "Deny",
                Action: [
                    "iam:CreatePolicy",
                    "iam:CreatePolicyVersion",
                    "iam:SetDefaultPolicyVersion",
                    "iam:DeleteRolePermissionsBoundary",
                    "iam:DeleteUserPermissionsBoundary",
                ],
                Resource: "*",
            },
            {
                Sid: "FoundationIsOutOfReach",
                Effect: "Deny",
                Action: FOUNDATION_WRITES,
                Resource: [
                    iam(`role/${namePrefix}-deployer-*`),
                    iam(`policy/ciplatform/*`),
                    ...(foundation ? [foundation.ciOidcProviderArn, foundation.stateBucketArn, ...foundation.keyArns] : []),
                ],
            },
        ),
    };
}

/** Writes of the foundation's kinds of resources, denied to deploy roles on the foundation's own. */
const FOUNDATION_WRITES = [
    "iam:AttachRolePolicy",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:DeleteOpenIDConnectProvider",
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:UpdateOpenIDConnectProviderThumbprint",
    "iam:TagOpenIDConnectProvider",
    "iam:DeletePolicy",
    "iam:CreatePolicyVersion",
    "s3:DeleteBucket",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutEncryptionConfiguration",
    "s3:PutBucketVersioning",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketTagging",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "kms:CreateGrant",
    "kms:TagResource",
    "kms:UntagResource",
];

// ---------------------------------------------------------------------------------------------
// Preview reads and the workload boundary.

/** Reads the preview role is never given: secret values. `pulumi preview` (without --refresh) makes none. */
export const SECRET_VALUE_READS: readonly string[] = ["secretsmanager:GetSecretValue", "kms:Decrypt"];

export interface ReadScope {
    readonly region: string;
    readonly accountId: string;
    /** Prefix of every name (`cip`): reads cover every environment. */
    readonly namePrefix: string;
}

/** Where each service's platform resources are, for every environment (the preview role's read scope). */
export function platformResources(s: ReadScope): Record<string, string[]> {
    const r = (service: string, resource: string): string => `arn:aws:${service}:${s.region}:${s.accountId}:${resource}`;
    const iam = (resource: string): string => `arn:aws:iam::${s.accountId}:${resource}`;
    const p = s.namePrefix;
    return {
        ec2: [r("ec2", "*")],
        eks: [r("eks", `cluster/${p}-*`), r("eks", `nodegroup/${p}-*`), r("eks", `addon/${p}-*`), r("eks", `access-entry/${p}-*`)],
        logs: [r("logs", "log-group:*")],
        events: [r("events", `rule/${p}-*`)],
        sqs: [r("sqs", `${p}-*`)],
        kms: [r("kms", "key/*"), r("kms", "alias/*")],
        iam: [iam(`role/${p}-*`), iam(`user/${p}-*`), iam(`user/ciplatform/${p}-*`), iam("oidc-provider/*"), iam("policy/ciplatform/*")],
        s3: [`arn:aws:s3:::${p}-*`],
        secretsmanager: [r("secretsmanager", `secret:${p}-*`)],
        "acm-pca": [r("acm-pca", "certificate-authority/*")],
        acm: [r("acm", "certificate/*")],
        ssm: [`arn:aws:ssm:${s.region}::parameter/aws/service/*`, `arn:aws:ssm:${s.region}:${s.accountId}:parameter/aws/service/*`],
    };
}

/**
 * The preview role's reads, generated from the provider-action map: every read phase call of every
 * mapped type, minus secret values; actions IAM cannot scope on "*", the rest on the platform's
 * resources. `unscopable` says which actions take no resource (from the Service Authorization data).
 */
export function previewReadPolicy(s: ReadScope, reads: readonly string[], unscopable: (action: string) => boolean): PolicyDocument {
    const wanted = [...new Set(reads)].filter((a) => !SECRET_VALUE_READS.includes(a)).sort();
    const resources = platformResources(s);
    const byService = new Map<string, string[]>();
    for (const action of wanted.filter((a) => !unscopable(a))) {
        const service = action.split(":")[0];
        byService.set(service, [...(byService.get(service) ?? []), action]);
    }
    return policyDocument(
        { Sid: "ReadsIamCannotScope", Effect: "Allow", Action: wanted.filter(unscopable), Resource: "*" },
        ...[...byService.entries()].map(([service, actions]): Statement => ({
            Sid: `Read${service.replace(/[^a-z0-9]/gi, "")}`,
            Effect: "Allow",
            Action: actions,
            Resource: resources[service] ?? [],
        })),
    );
}
