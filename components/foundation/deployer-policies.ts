/**
 * Trust and permissions of the CI roles. Trust is pinned to one project through the OIDC `sub`
 * and `aud` claims; deploy permissions are scoped to the environment's resource-name prefix and,
 * where AWS supports it, to the environment org tag.
 */
import { PolicyDocument, policyDocument, Statement } from "../shared/iam-documents";

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
}

function webIdentity(ctx: TrustContext, conditions: Statement["Condition"]): PolicyDocument {
    return policyDocument({ Effect: "Allow", Principal: { Federated: ctx.oidcProviderArn }, Action: "sts:AssumeRoleWithWebIdentity", Condition: conditions });
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
        : webIdentity(ctx, { StringEquals: { [aud]: audienceFor(ctx, "preview") }, StringLike: { [sub]: `project_path:${ctx.project}:ref_type:branch:ref:*` } });
}

/** The protected branch's pipelines (GitLab, with the environment's audience) or the environment's jobs (GitHub). */
export function deployTrustPolicy(ctx: TrustContext, environment: string): PolicyDocument {
    const aud = `${ctx.issuerHost}:aud`;
    const sub = `${ctx.issuerHost}:sub`;
    return ctx.provider === "github"
        ? webIdentity(ctx, { StringEquals: { [aud]: audienceFor(ctx, environment), [sub]: `repo:${ctx.project}:environment:${environment}` } })
        : webIdentity(ctx, { StringEquals: { [aud]: audienceFor(ctx, environment), [sub]: `project_path:${ctx.project}:ref_type:branch:ref:${ctx.protectedBranch}` } });
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

export interface StateAccess {
    readonly stateBucketArn: string;
    readonly secretsKeyArn: string;
}

/** Reading and writing Pulumi state, and using the secrets-provider key. */
export function stateAccessPolicy(a: StateAccess): PolicyDocument {
    return policyDocument(
        { Sid: "StateObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${a.stateBucketArn}/*` },
        { Sid: "StateListing", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketVersioning"], Resource: a.stateBucketArn },
        { Sid: "SecretsProvider", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: a.secretsKeyArn },
    );
}

export interface DeployScope {
    readonly region: string;
    readonly accountId: string;
    /** Resource-name prefix of the environment, e.g. `cip-dev`. */
    readonly prefix: string;
    readonly environment: string;
    /** Org tag key carrying the environment. */
    readonly environmentTagKey: string;
}

/**
 * What deploying one environment needs, by service: names under the environment's prefix, and
 * the environment tag on resources AWS cannot scope by name (EC2, KMS keys, ACM PCA).
 */
export function deployPermissions(s: DeployScope): Record<string, PolicyDocument> {
    const arn = (service: string, resource: string, region = s.region): string => `arn:aws:${service}:${region}:${s.accountId}:${resource}`;
    const iam = (resource: string): string => `arn:aws:iam::${s.accountId}:${resource}`;
    const tagged = { StringEquals: { [`aws:ResourceTag/${s.environmentTagKey}`]: s.environment } };
    const taggedOnCreate = { StringEquals: { [`aws:RequestTag/${s.environmentTagKey}`]: s.environment } };
    const ec2Mutations = [
        "ec2:AllocateAddress",
        "ec2:AssociateRouteTable",
        "ec2:AttachInternetGateway",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:CreateFlowLogs",
        "ec2:CreateInternetGateway",
        "ec2:CreateLaunchTemplate",
        "ec2:CreateLaunchTemplateVersion",
        "ec2:CreateNatGateway",
        "ec2:CreateRoute",
        "ec2:CreateRouteTable",
        "ec2:CreateSecurityGroup",
        "ec2:CreateSubnet",
        "ec2:CreateVpc",
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
        "ec2:ModifySubnetAttribute",
        "ec2:ModifyVpcAttribute",
        "ec2:ReleaseAddress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
    ];
    return {
        network: policyDocument(
            { Sid: "CreateTaggedForEnvironment", Effect: "Allow", Action: ec2Mutations, Resource: `arn:aws:ec2:${s.region}:${s.accountId}:*`, Condition: taggedOnCreate },
            { Sid: "ChangeEnvironmentResources", Effect: "Allow", Action: ec2Mutations, Resource: `arn:aws:ec2:${s.region}:${s.accountId}:*`, Condition: tagged },
            {
                Sid: "TagOnCreate",
                Effect: "Allow",
                Action: "ec2:CreateTags",
                Resource: `arn:aws:ec2:${s.region}:${s.accountId}:*`,
                Condition: { StringLike: { "ec2:CreateAction": "*" }, ...taggedOnCreate },
            },
        ),
        cluster: policyDocument(
            {
                Sid: "EnvironmentCluster",
                Effect: "Allow",
                Action: [
                    "eks:CreateCluster",
                    "eks:DeleteCluster",
                    "eks:DescribeCluster",
                    "eks:UpdateClusterConfig",
                    "eks:UpdateClusterVersion",
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
                Action: ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:AssociateKmsKey", "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource"],
                Resource: [arn("logs", `log-group:/aws/eks/${s.prefix}/*`), arn("logs", `log-group:/ciplatform/${s.prefix}-*`)],
            },
            {
                Sid: "EnvironmentQueuesAndRules",
                Effect: "Allow",
                Action: [
                    "sqs:CreateQueue",
                    "sqs:DeleteQueue",
                    "sqs:GetQueueAttributes",
                    "sqs:SetQueueAttributes",
                    "sqs:TagQueue",
                    "sqs:UntagQueue",
                    "events:PutRule",
                    "events:DeleteRule",
                    "events:DescribeRule",
                    "events:PutTargets",
                    "events:RemoveTargets",
                    "events:TagResource",
                    "events:UntagResource",
                ],
                Resource: [arn("sqs", `${s.prefix}*`), arn("events", `rule/${s.prefix}-*`)],
            },
        ),
        identity: policyDocument(
            {
                Sid: "EnvironmentRolesAndPolicies",
                Effect: "Allow",
                Action: [
                    "iam:CreateRole",
                    "iam:DeleteRole",
                    "iam:GetRole",
                    "iam:TagRole",
                    "iam:UntagRole",
                    "iam:UpdateAssumeRolePolicy",
                    "iam:UpdateRoleDescription",
                    "iam:PutRolePolicy",
                    "iam:GetRolePolicy",
                    "iam:DeleteRolePolicy",
                    "iam:ListRolePolicies",
                    "iam:ListAttachedRolePolicies",
                    "iam:AttachRolePolicy",
                    "iam:DetachRolePolicy",
                    "iam:ListInstanceProfilesForRole",
                    "iam:CreateUser",
                    "iam:DeleteUser",
                    "iam:GetUser",
                    "iam:TagUser",
                    "iam:PutUserPolicy",
                    "iam:DeleteUserPolicy",
                    "iam:CreateAccessKey",
                    "iam:DeleteAccessKey",
                ],
                Resource: [iam(`role/${s.prefix}-*`), iam(`user/${s.prefix}-*`)],
            },
            {
                Sid: "PassEnvironmentRolesToTheirServices",
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: iam(`role/${s.prefix}-*`),
                Condition: { StringEquals: { "iam:PassedToService": ["eks.amazonaws.com", "ec2.amazonaws.com", "vpc-flow-logs.amazonaws.com"] } },
            },
            {
                Sid: "ClusterOidcProvider",
                Effect: "Allow",
                Action: ["iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider", "iam:GetOpenIDConnectProvider", "iam:TagOpenIDConnectProvider"],
                Resource: iam(`oidc-provider/oidc.eks.${s.region}.amazonaws.com/id/*`),
            },
            {
                Sid: "EnvironmentSecrets",
                Effect: "Allow",
                Action: [
                    "secretsmanager:CreateSecret",
                    "secretsmanager:DeleteSecret",
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:TagResource",
                    "secretsmanager:UpdateSecret",
                    "secretsmanager:GetResourcePolicy",
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
                    "s3:GetBucketPolicy",
                    "s3:PutBucketPolicy",
                    "s3:DeleteBucketPolicy",
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
                    "s3:GetBucketTagging",
                    "s3:PutBucketTagging",
                ],
                Resource: `arn:aws:s3:::${s.prefix}-*`,
            },
            { Sid: "CreateTaggedKeys", Effect: "Allow", Action: "kms:CreateKey", Resource: "*", Condition: taggedOnCreate },
            { Sid: "TagNewKeys", Effect: "Allow", Action: "kms:TagResource", Resource: arn("kms", "key/*"), Condition: taggedOnCreate },
            {
                Sid: "ManageEnvironmentKeys",
                Effect: "Allow",
                Action: ["kms:DescribeKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:ListResourceTags", "kms:CreateGrant"],
                Resource: arn("kms", "key/*"),
                Condition: tagged,
            },
            { Sid: "EnvironmentAliases", Effect: "Allow", Action: ["kms:CreateAlias", "kms:DeleteAlias"], Resource: arn("kms", `alias/${s.prefix}/*`) },
            { Sid: "AliasEnvironmentKeys", Effect: "Allow", Action: ["kms:CreateAlias", "kms:DeleteAlias"], Resource: arn("kms", "key/*"), Condition: tagged },
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
                    "acm-pca:UpdateCertificateAuthority",
                    "acm-pca:DeleteCertificateAuthority",
                    "acm-pca:TagCertificateAuthority",
                ],
                Resource: arn("acm-pca", "certificate-authority/*"),
                Condition: tagged,
            },
            { Sid: "CreateTaggedCertificateAuthority", Effect: "Allow", Action: "acm-pca:CreateCertificateAuthority", Resource: "*", Condition: taggedOnCreate },
        ),
    };
}
