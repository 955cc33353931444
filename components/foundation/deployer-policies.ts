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

/** The workload boundary of an environment: an IAM policy the foundation creates. */
export function workloadBoundaryArn(accountId: string, prefix: string): string {
    return `arn:aws:iam::${accountId}:policy/ciplatform/${prefix}-workload-boundary`;
}

/** The supply-chain boundary of an environment (its CI image, signature and findings roles): an IAM policy the foundation creates. */
export function supplyChainBoundaryArn(accountId: string, prefix: string): string {
    return `arn:aws:iam::${accountId}:policy/ciplatform/${prefix}-supply-chain-boundary`;
}

// The deploy roles' own permissions are derived from the provider-action map: deploy-permissions.ts.

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
        ecr: [r("ecr", `repository/${p}-*`)],
        signer: [r("signer", `/signing-profiles/${p}_*`)],
        ssm: [`arn:aws:ssm:${s.region}::parameter/aws/service/*`, `arn:aws:ssm:${s.region}:${s.accountId}:parameter/aws/service/*`],
    };
}

/**
 * The preview role's reads, generated from the provider-action map: every read phase call of every
 * mapped type, minus secret values; actions IAM cannot scope on "*", the rest on the platform's
 * resources. `unscopable` says which actions take no resource (from the Service Authorization data).
 * A service with no platform resources (the map's foundation-only types: CodeBuild runners, Security
 * Hub) gets no statement: the preview role previews platform stacks only, and IAM refuses a statement
 * without resources (PutRolePolicy: MalformedPolicyDocument, "Policy statement must contain resources").
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
        ...[...byService.entries()]
            .filter(([service]) => service in resources)
            .map(([service, actions]): Statement => ({
                Sid: `Read${service.replace(/[^a-z0-9]/gi, "")}`,
                Effect: "Allow",
                Action: actions,
                Resource: resources[service],
            })),
    );
}
