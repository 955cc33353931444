import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EncryptedBucket } from "../shared/encrypted-bucket";
import { NAME_PREFIX_MAX_LENGTH, NAME_PREFIX_PATTERN, NAME_PREFIX_RULE } from "../shared/names";
import { managedPolicyArn, PolicyDocument, policyDocument, toJson } from "../shared/iam-documents";
import { KEY_ADMIN_ACTIONS } from "../shared/kms-policies";
import { IAM_POLICY_SIZE } from "../../policypack/lib/aws-quotas";
import {
    audienceFor,
    CiProvider,
    deployStateAccessPolicy,
    deployTrustPolicy,
    previewStateAccessPolicy,
    previewTrustPolicy,
    thirdPartyTrustPolicy,
    TrustContext,
} from "./deployer-policies";
import { assertWithinQuota, deployPermissionStatements } from "./deploy-permissions";
import { assertWithinQuotas, deployerDocuments } from "./deployer-quotas";
import { FOUNDATION_IAM_PATH } from "./iam-namespace";

/**
 * Longest session a deploy role grants (seconds): a first platform `up` (cluster, node groups,
 * add-ons) can exceed an hour, and the pipelines ask for this much (`--duration-seconds`). IAM allows
 * 3,600 to 43,200 (CreateRole `MaxSessionDuration`, https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html).
 */
export const DEPLOY_SESSION_SECONDS = 10_800;
/** Longest session of the preview role (seconds): a preview is read-only and short. */
export const PREVIEW_SESSION_SECONDS = 3_600;

/** Arguments of the deployer: CI identities and the state backend of one account. */
export interface DeployerArgs {
    readonly region: string;
    readonly accountId: string;
    /** Resource-name prefix of the platform (`<prefix>-<environment>-...`), 3-16 characters (NAME_PREFIX_PATTERN). */
    readonly namePrefix: string;
    /** @default "gitlab" */
    readonly ciProvider?: CiProvider;
    /** OIDC issuer URL. @default "https://gitlab.com" */
    readonly ciUrl?: string;
    /** `group/project` or `owner/repo`. */
    readonly project: string;
    /** @default "main" */
    readonly protectedBranch?: string;
    /** @default ["dev", "staging", "prod"] */
    readonly environments?: readonly string[];
    /** GitLab audience prefix. @default "ciplatform" */
    readonly audiencePrefix?: string;
    /** Tag key carrying the environment. @default "environment" */
    readonly environmentTagKey?: string;
    /** Boundary set on the deploy roles. @default - none */
    readonly permissionsBoundaryArn?: string;
    /** Third party given read-only (SecurityAudit) access. @default - none */
    readonly thirdParty?: { readonly accountId: string; readonly externalId: pulumi.Input<string> };
    /** @default 30 */
    readonly kmsDeletionWindowDays?: number;
    /** @default true */
    readonly protect?: boolean;
    /** The platform project's name, whose stacks' state objects the roles reach. @default "ciplatform" */
    readonly platformProject?: string;
    /**
     * GitLab only: the protected ref each environment deploys from (a branch, or `tag:<pattern>` for
     * protected tags). @default - dev from protectedBranch, others from `<protectedBranch>-<environment>`
     */
    readonly environmentRefs?: Readonly<Record<string, string>>;
    /**
     * Whoever creates the platform stacks (`pulumi stack init --secrets-provider awskms://…` calls
     * kms:Encrypt and kms:Decrypt): IAM role or user ARNs given the secrets key's use. @default [] (none)
     */
    readonly stackCreatorArns?: readonly string[];
    /** The foundation's own stack in the state bucket, whose outputs the CI roles read (StackReference). @default - none */
    readonly foundationStack?: { readonly project: string; readonly stack: string };
}

/** Validates deployer arguments; messages name the argument, the value and what is allowed. */
export function validateDeployerArgs(args: Pick<DeployerArgs, "project" | "ciUrl" | "environments"> & { namePrefix?: string }): string[] {
    const problems: string[] = [];
    if (args.namePrefix !== undefined && !NAME_PREFIX_PATTERN.test(args.namePrefix)) {
        problems.push(
            `namePrefix: got ${JSON.stringify(args.namePrefix)}; ${NAME_PREFIX_RULE} (IAM quotas are sized for at most ${NAME_PREFIX_MAX_LENGTH})`,
        );
    }
    if (!/^([\w.-]+\/)+[\w.-]+$/.test(args.project)) {
        problems.push(`project: got ${JSON.stringify(args.project)}; use group/project (GitLab) or owner/repo (GitHub)`);
    }
    if (args.ciUrl !== undefined && !/^https:\/\/[^/]+$/.test(args.ciUrl)) {
        problems.push(`ciUrl: got ${JSON.stringify(args.ciUrl)}; use the issuer's https:// URL without a path`);
    }
    if ((args.environments ?? ["dev"]).length === 0) {
        problems.push("environments: empty; name at least one environment to deploy");
    }
    return problems;
}

/**
 * The account's CI identities and Pulumi state backend: the CI system's OIDC provider, a preview
 * role for merge requests (read-only plus state), a deploy role per environment for the protected
 * branch (scoped to that environment's names and tags), optional third-party access with an
 * External ID, and an encrypted state bucket with a KMS key for Pulumi's secrets provider.
 */
export class Deployer extends pulumi.ComponentResource {
    public readonly previewRoleArn: pulumi.Output<string>;
    public readonly deployRoleArns: Record<string, pulumi.Output<string>>;
    public readonly stateBucket: pulumi.Output<string>;
    /** `pulumi login` command for the S3 backend. */
    public readonly loginCommand: pulumi.Output<string>;
    /** The S3 backend's URL (`pulumi login <url>`, `PULUMI_BACKEND_URL`). */
    public readonly stateUrl: pulumi.Output<string>;
    /** `--secrets-provider` value for `pulumi stack init`. */
    public readonly secretsProvider: pulumi.Output<string>;
    /** OIDC audiences the pipelines request, by role. */
    public readonly audiences: Record<string, string>;

    constructor(name: string, args: DeployerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:deployer:Deployer", name, {}, opts);
        const problems = validateDeployerArgs(args);
        if (problems.length > 0) {
            throw new Error(`Deployer ${name}: ${problems.join("; ")}`);
        }

        // Defaults, resolved once.
        const provider = args.ciProvider ?? "gitlab";
        const ciUrl = args.ciUrl ?? "https://gitlab.com";
        const environments = args.environments ?? ["dev", "staging", "prod"];
        const audiencePrefix = args.audiencePrefix ?? "ciplatform";
        const protect = args.protect ?? true;
        const project = args.platformProject ?? "ciplatform";
        const environmentTagKey = args.environmentTagKey ?? "environment";
        const issuerHost = ciUrl.replace(/^https:\/\//, "");
        this.audiences = Object.fromEntries(["preview", ...environments].map((t) => [t, audienceFor({ provider, audiencePrefix }, t)]));
        const trustContext = (oidcProviderArn: string): TrustContext => ({
            provider,
            oidcProviderArn,
            issuerHost,
            project: args.project,
            protectedBranch: args.protectedBranch ?? "main",
            audiencePrefix,
            environmentRefs: args.environmentRefs,
        });

        // Every IAM document below, measured before anything is created (IAM and STS quotas): a document
        // over its quota fails here, not at PutRolePolicy/CreatePolicy halfway through an up.
        const documents = deployerDocuments({
            region: args.region,
            accountId: args.accountId,
            namePrefix: args.namePrefix,
            environments,
            environmentTagKey,
            project,
            foundationStack: args.foundationStack,
            trust: trustContext(`arn:aws:iam::${args.accountId}:oidc-provider/${issuerHost}`),
        });
        assertWithinQuotas(`Deployer ${name}`, documents.rows);

        const oidc = new aws.iam.OpenIdConnectProvider(
            `${name}-oidc`,
            { url: ciUrl, clientIdLists: [...new Set(Object.values(this.audiences))] },
            { parent: this },
        );
        const trust = (build: (ctx: TrustContext) => PolicyDocument) => toJson(oidc.arn.apply((arn) => build(trustContext(arn))));

        const preview = new aws.iam.Role(
            `${name}-preview`,
            {
                path: FOUNDATION_IAM_PATH,
                description: `pulumi preview for merge requests of ${args.project}`,
                assumeRolePolicy: trust(previewTrustPolicy),
                maxSessionDuration: PREVIEW_SESSION_SECONDS,
            },
            { parent: this },
        );
        // Reads generated from the provider-action map (no AWS-managed ReadOnlyAccess: it reads secret values and data).
        new aws.iam.RolePolicy(
            `${name}-preview-reads`,
            { role: preview.name, policy: JSON.stringify(documents.previewReads) },
            { parent: this },
        );

        // The ceiling of every role and user a deploy role creates (the deploy roles may create them only with it).
        const boundaries = Object.fromEntries(
            environments.map((environment) => [
                environment,
                new aws.iam.Policy(
                    `${name}-boundary-${environment}`,
                    {
                        name: `${args.namePrefix}-${environment}-workload-boundary`,
                        path: "/ciplatform/",
                        description: `Permissions boundary of the roles and users ${environment}'s deploy role creates`,
                        policy: JSON.stringify(documents.boundaries[environment]),
                    },
                    { parent: this },
                ),
            ]),
        );

        // The supply-chain roles' own ceiling (both would not fit one managed policy).
        for (const environment of environments) {
            new aws.iam.Policy(
                `${name}-boundary-supply-chain-${environment}`,
                {
                    name: `${args.namePrefix}-${environment}-supply-chain-boundary`,
                    path: "/ciplatform/",
                    description: `Permissions boundary of the supply-chain and findings roles ${environment}'s deploy role creates`,
                    policy: JSON.stringify(documents.supplyChainBoundaries[environment]),
                },
                { parent: this },
            );
        }

        const deployRoles = Object.fromEntries(
            environments.map((environment) => [
                environment,
                new aws.iam.Role(
                    `${name}-deploy-${environment}`,
                    {
                        path: FOUNDATION_IAM_PATH,
                        description: `pulumi up of ${environment} from ${args.project}'s protected branch`,
                        assumeRolePolicy: trust((ctx) => deployTrustPolicy(ctx, environment)),
                        permissionsBoundary: args.permissionsBoundaryArn,
                        maxSessionDuration: DEPLOY_SESSION_SECONDS,
                    },
                    { parent: this },
                ),
            ]),
        );

        const secretsKey = new aws.kms.Key(
            `${name}-state-secrets`,
            {
                description: "Pulumi secrets provider of the platform stacks",
                enableKeyRotation: true,
                deletionWindowInDays: args.kmsDeletionWindowDays ?? 30,
                policy: toJson(
                    pulumi.all([preview.arn, ...Object.values(deployRoles).map((r) => r.arn)]).apply(([previewArn, ...deployArns]) =>
                        policyDocument(
                            {
                                Sid: "KeyAdministration",
                                Effect: "Allow",
                                Principal: { AWS: `arn:aws:iam::${args.accountId}:root` },
                                Action: KEY_ADMIN_ACTIONS,
                                Resource: "*",
                            },
                            // `pulumi stack init --secrets-provider` encrypts a new data key and decrypts it back.
                            ...(args.stackCreatorArns && args.stackCreatorArns.length > 0
                                ? [
                                      {
                                          Sid: "StackCreatorsUseTheKey",
                                          Effect: "Allow" as const,
                                          Principal: { AWS: [...args.stackCreatorArns] },
                                          Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                                          Resource: "*",
                                      },
                                  ]
                                : []),
                            {
                                Sid: "DeploysUseTheKey",
                                Effect: "Allow",
                                Principal: { AWS: deployArns },
                                Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                                Resource: "*",
                            },
                            {
                                Sid: "PreviewsDecrypt",
                                Effect: "Allow",
                                Principal: { AWS: previewArn },
                                Action: ["kms:Decrypt", "kms:DescribeKey"],
                                Resource: "*",
                            },
                        ),
                    ),
                ),
            },
            { parent: this, protect },
        );
        const alias = new aws.kms.Alias(
            `${name}-state-secrets`,
            { name: `alias/${args.namePrefix}-pulumi-secrets`, targetKeyId: secretsKey.keyId },
            { parent: this },
        );
        const state = new EncryptedBucket(
            `${name}-state`,
            {
                region: args.region,
                accountId: args.accountId,
                purpose: "Pulumi state",
                versioning: true,
                noncurrentVersionExpirationDays: 90,
                kmsDeletionWindowDays: args.kmsDeletionWindowDays,
                protect,
            },
            { parent: this },
        );
        const stateAccess = pulumi
            .all([state.arn, state.kmsKeyArn, secretsKey.arn])
            .apply(([stateBucketArn, stateKeyArn, secretsKeyArn]) => ({
                stateBucketArn,
                stateKeyArn,
                secretsKeyArn,
                region: args.region,
                project,
                foundationStack: args.foundationStack,
            }));

        new aws.iam.RolePolicy(
            `${name}-preview-state`,
            { role: preview.name, policy: toJson(stateAccess.apply(previewStateAccessPolicy)) },
            { parent: this },
        );
        for (const [environment, role] of Object.entries(deployRoles)) {
            new aws.iam.RolePolicy(
                `${name}-deploy-${environment}-state`,
                { role: role.name, policy: toJson(stateAccess.apply((a) => deployStateAccessPolicy(a, environment))) },
                { parent: this },
            );
            // Deploy permissions in managed policies the foundation owns, derived from the provider-action map and
            // split as measured above (the split depends on the statements' order and the longest ARNs, not on values).
            const statements = pulumi.all([stateAccess, oidc.arn, boundaries[environment].arn]).apply(([a, ciOidcProviderArn]) =>
                deployPermissionStatements(
                    documents.deployScope(environment, {
                        stateBucketArn: a.stateBucketArn,
                        keyArns: [a.stateKeyArn, a.secretsKeyArn],
                        ciOidcProviderArn,
                    }),
                ),
            );
            const packs = documents.packs[environment];
            packs.forEach((indices, i) => {
                const part = `${args.namePrefix}-deployer-deploy-${environment}-${i + 1}`;
                const policy = new aws.iam.Policy(
                    `${name}-deploy-${environment}-${i + 1}`,
                    {
                        name: part,
                        path: FOUNDATION_IAM_PATH,
                        description: `pulumi up of ${environment}: part ${i + 1} of ${packs.length} (generated from the provider-action map)`,
                        // Real ARNs are never longer than the ones measured; checked again all the same.
                        policy: toJson(
                            statements.apply((all) => {
                                const document = policyDocument(...indices.map((j) => all[j]));
                                assertWithinQuota(`policy ${part}`, document, IAM_POLICY_SIZE.managedPolicy);
                                return document;
                            }),
                        ),
                    },
                    { parent: this },
                );
                new aws.iam.RolePolicyAttachment(
                    `${name}-deploy-${environment}-${i + 1}`,
                    { role: role.name, policyArn: policy.arn },
                    { parent: this },
                );
            });
        }

        if (args.thirdParty) {
            const thirdParty = args.thirdParty;
            const role = new aws.iam.Role(
                `${name}-third-party`,
                {
                    path: FOUNDATION_IAM_PATH,
                    description: `read-only audit access for account ${thirdParty.accountId}, with an External ID`,
                    assumeRolePolicy: pulumi.secret(
                        toJson(
                            pulumi
                                .output(thirdParty.externalId)
                                .apply((externalId) => thirdPartyTrustPolicy(thirdParty.accountId, externalId)),
                        ),
                    ),
                },
                { parent: this },
            );
            new aws.iam.RolePolicyAttachment(
                `${name}-third-party-audit`,
                { role: role.name, policyArn: managedPolicyArn("SecurityAudit") },
                { parent: this },
            );
        }

        this.previewRoleArn = preview.arn;
        this.deployRoleArns = Object.fromEntries(Object.entries(deployRoles).map(([env, role]) => [env, role.arn]));
        this.stateBucket = state.bucket;
        this.stateUrl = pulumi.interpolate`s3://${state.bucket}?region=${args.region}&awssdk=v2`;
        this.loginCommand = pulumi.interpolate`pulumi login '${this.stateUrl}'`;
        this.secretsProvider = pulumi.interpolate`awskms://${alias.name}?region=${args.region}`;
        this.registerOutputs({
            previewRoleArn: this.previewRoleArn,
            deployRoleArns: this.deployRoleArns,
            stateBucket: this.stateBucket,
            loginCommand: this.loginCommand,
            stateUrl: this.stateUrl,
            secretsProvider: this.secretsProvider,
            audiences: this.audiences,
        });
    }
}
