/**
 * The deploy roles' permissions, derived from the provider-action map (provider-actions.ts, the one
 * list of what the provider calls for every platform type) and the scoping rules below (where an
 * environment's resources of each service are, and which condition keys pin them to it), then packed
 * into customer managed policies within IAM's quotas.
 *
 * Quotas (IAM and AWS STS quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
 * a role's inline policies together hold at most 10,240 characters and the limit cannot be raised
 * (`PutRolePolicy` fails with `LimitExceeded`, https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html);
 * a customer managed policy holds 6,144 (`CreatePolicy`, https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html);
 * a role takes 10 managed policies by default (`AttachRolePolicy`,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html). IAM counts a
 * document without white space (`iamPolicySize`).
 */
import { karpenterInstanceProfileArns } from "../karpenter/policy";
import { IAM_COUNTS, IAM_POLICY_SIZE, IAM_QUOTAS_SOURCE, iamPolicySize } from "../../policypack/lib/aws-quotas";
import { ConditionBlock, PolicyDocument, policyDocument, Statement } from "../shared/iam-documents";
import { ATTACHABLE_MANAGED_POLICIES, supplyChainBoundaryArn, workloadBoundaryArn } from "./deployer-policies";
import { foundationRoleArn, FOUNDATION_IAM_PATH } from "./iam-namespace";
import {
    AwsTypeActions,
    CallScope,
    callOf,
    deployTypeEntries,
    EKS_CLUSTER_NAME_TAG,
    INVOKE_ACTIONS,
    Phase,
    PHASES,
    PlannedLike,
    PROVIDER_ACTIONS,
    UNSCOPABLE_ACTIONS,
} from "./provider-actions";

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
    readonly environment: string;
    /** Org tag key carrying the environment. */
    readonly environmentTagKey: string;
    /** The boundary every role and user the deploy role creates must carry. @default workloadBoundaryArn(...) */
    readonly workloadBoundaryArn?: string;
    /** @default - none named (the name patterns and the foundation's IAM path still exclude them) */
    readonly foundation?: FoundationResources;
}

/** The EKS cluster service role the foundation creates for a cluster (the deploy role reads and passes it). */
export function clusterServiceRoleName(clusterName: string): string {
    return `${clusterName}-eks-cluster`;
}

const TAGGING = /:(Tag|CreateTags|PutBucketTagging|AddTags)/;
const UNTAGGING = /:(Untag|DeleteTags|RemoveTags)/;

/** One call of a platform type, with what it is authorized against. */
interface DeployCall {
    readonly type: string;
    readonly phase: Phase;
    readonly action: string;
    readonly target: string;
    /** It carries the new resource's tags as request tags (the create call, and tagging on create). */
    readonly requestTagged: boolean;
    readonly contextKeys: readonly string[];
    readonly context: Record<string, string | string[]>;
    readonly hasOn: boolean;
}

/**
 * Every call of every platform type, with targets and context computed for a representative resource
 * whose optional inputs are all set (so conditional context, such as the boundary of CreateRole, shows).
 */
function deployCalls(s: CallScope, boundaryArn: string): DeployCall[] {
    const calls: DeployCall[] = [];
    for (const [type, entry] of deployTypeEntries()) {
        const r: PlannedLike = {
            type,
            name: `${s.prefix}-x`,
            inputs: {
                permissionsBoundary: boundaryArn,
                certificateAuthorityArn: `arn:aws:acm-pca:${s.region}:${s.accountId}:certificate-authority/x`,
            },
        };
        for (const phase of PHASES) {
            for (const [index, raw] of entry.calls[phase].entries()) {
                const c = callOf(raw);
                const target = c.on ? c.on(r, s) : { arn: entry.arn(r, s), tags: entry.taggable ? "own" : "related" };
                const context = c.context ? c.context(r, s) : {};
                calls.push({
                    type,
                    phase,
                    action: c.action,
                    target: target.arn,
                    requestTagged: phase === "create" && target.tags === "own" && (index === 0 || TAGGING.test(c.action)),
                    contextKeys: Object.keys(context),
                    context,
                    hasOn: c.on !== undefined,
                });
            }
        }
    }
    for (const invoke of INVOKE_ACTIONS) {
        for (const c of invoke.calls) {
            const target = c.on ? c.on({ type: invoke.token, name: invoke.token, inputs: {} }, s) : { arn: "*" };
            calls.push({
                type: invoke.token,
                phase: "read",
                action: c.action,
                target: target.arn,
                requestTagged: false,
                contextKeys: [],
                context: {},
                hasOn: true,
            });
        }
    }
    return calls;
}

/** Services whose environment resources carry no name of ours: scoped by the environment tag. */
const TAG_SCOPED = ["ec2", "kms", "acm", "acm-pca"] as const;
/** Creates IAM cannot scope to a resource that a service condition key narrows further. */
const CREATE_CONDITIONS: Readonly<Record<string, string>> = { "acm:RequestCertificate": "private-certificate" };
const ROLE_TYPES = ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"];
const USER_TYPES = ["aws:iam/user:User", "aws:iam/userPolicy:UserPolicy", "aws:iam/accessKey:AccessKey"];

/** The scope class of one call: which statement grants it. Throws for a service nothing here scopes. */
function classOf(c: DeployCall): string {
    const service = c.action.split(":")[0];
    if (UNSCOPABLE_ACTIONS.includes(c.action)) {
        return c.requestTagged ? `create${CREATE_CONDITIONS[c.action] ? `:${CREATE_CONDITIONS[c.action]}` : ""}` : "unscopable";
    }
    if (service === "iam") {
        if (c.action === "iam:PassRole") {
            return "iam:pass";
        }
        const kind = USER_TYPES.includes(c.type) ? "user" : "role";
        if (c.contextKeys.includes("iam:PermissionsBoundary")) {
            return `iam:${kind}:boundary`;
        }
        if (c.contextKeys.includes("iam:PolicyARN")) {
            return "iam:role:attach";
        }
        if (c.target.includes(":instance-profile/")) {
            return "iam:instance-profile";
        }
        if (c.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider") {
            return "iam:oidc";
        }
        if (ROLE_TYPES.includes(c.type) || USER_TYPES.includes(c.type)) {
            return `iam:${kind}`;
        }
    }
    if (service === "ec2" && c.contextKeys.includes(EKS_CLUSTER_NAME_TAG)) {
        return "ec2:eks-cluster-group";
    }
    if (service === "kms") {
        const via = c.context["kms:ViaService"];
        if (typeof via === "string") {
            return `kms:via:${via.split(".")[0]}`;
        }
        if (c.type === "aws:kms/alias:Alias" && !c.hasOn) {
            return "kms:alias";
        }
    }
    if ((TAG_SCOPED as readonly string[]).includes(service)) {
        if (c.requestTagged) {
            return TAGGING.test(c.action) ? `${service}:tag-on-create` : `${service}:create`;
        }
        return service;
    }
    if (["eks", "logs", "sqs", "events", "s3", "secretsmanager", "ssm", "ecr", "signer"].includes(service)) {
        return service;
    }
    throw new Error(
        `deploy-permissions: ${c.action} (${c.phase} of ${c.type} in components/foundation/provider-actions.ts) has no deploy scope; ` +
            `say where an environment's ${service} resources are in components/foundation/deploy-permissions.ts`,
    );
}

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/**
 * Every statement of a deploy role's permissions: allows derived from the provider-action map, each
 * scoped to the environment (names where AWS has names of ours, the environment tag where it does
 * not), and the guard's explicit denies for what allows cannot express. The statement order (and so
 * the packing) depends only on the map and the scope's shape, never on the values of ARNs.
 */
export function deployPermissionStatements(s: DeployScope): Statement[] {
    const arn = (service: string, resource: string): string => `arn:aws:${service}:${s.region}:${s.accountId}:${resource}`;
    const iam = (resource: string): string => `arn:aws:iam::${s.accountId}:${resource}`;
    const key = s.environmentTagKey;
    const tagged = { StringEquals: { [`aws:ResourceTag/${key}`]: s.environment } };
    const taggedOnCreate = { StringEquals: { [`aws:RequestTag/${key}`]: s.environment } };
    const boundary = s.workloadBoundaryArn ?? workloadBoundaryArn(s.accountId, s.prefix);
    // Roles carry one of the environment's two boundaries (the supply-chain roles their own); users the workload boundary.
    const roleBoundaries = [boundary, supplyChainBoundaryArn(s.accountId, s.prefix)];
    const clusterRole = foundationRoleArn(s.accountId, clusterServiceRoleName(s.prefix));
    const scope: CallScope = { accountId: s.accountId, region: s.region, prefix: s.prefix, environmentTags: {} };

    const calls = deployCalls(scope, boundary);
    const byClass = new Map<string, DeployCall[]>();
    for (const c of calls) {
        const k = classOf(c);
        byClass.set(k, [...(byClass.get(k) ?? []), c]);
    }
    const actionsOf = (k: string): string[] => sorted((byClass.get(k) ?? []).map((c) => c.action));
    const targetsOf = (k: string): string[] => sorted((byClass.get(k) ?? []).map((c) => c.target));
    const used = new Set<string>();
    const allow = (k: string, sid: string, resource: string | string[], condition?: ConditionBlock): Statement[] => {
        used.add(k);
        const actions = actionsOf(k);
        if (actions.length === 0) {
            return [];
        }
        return [
            {
                Sid: sid,
                Effect: "Allow",
                Action: actions.length === 1 ? actions[0] : actions,
                Resource: resource,
                ...(condition ? { Condition: condition } : {}),
            },
        ];
    };
    const ec2All = arn("ec2", "*");
    const ec2Creates = actionsOf("ec2:create").map((a) => a.slice(4));
    const passedTo = sorted(
        (byClass.get("iam:pass") ?? []).flatMap((c) => ([] as string[]).concat(c.context["iam:PassedToService"] ?? [])),
    );
    const serviceLinked = sorted(deployTypeEntries().flatMap(([, e]) => e.serviceLinkedRoles ?? []));
    const roleReads = (PROVIDER_ACTIONS["aws:iam/role:Role"] as AwsTypeActions).calls.read.map((c) => callOf(c).action);

    const allows: Statement[] = [
        ...allow("unscopable", "ReadsIamCannotScope", "*"),
        // CreateCluster, CreateKey, CreateCertificateAuthority take no resource: the environment's by the tag it must carry.
        ...allow("create", "CreateTaggedForEnvironment", "*", taggedOnCreate),
        // Private certificates only (from a CA of this account), tagged for the environment.
        ...allow("create:private-certificate", "RequestTaggedPrivateCertificates", "*", {
            ...taggedOnCreate,
            ArnLike: { "acm:CertificateAuthority": arn("acm-pca", "certificate-authority/*") },
        }),
        // EC2: nothing carries our names, so the environment tag, as a request tag on create and a resource tag after.
        ...allow("ec2:create", "Ec2CreateTagged", targetsOf("ec2:create"), taggedOnCreate),
        ...allow("ec2:tag-on-create", "Ec2TagOnCreate", targetsOf("ec2:tag-on-create"), {
            StringEquals: { "ec2:CreateAction": ec2Creates, [`aws:RequestTag/${key}`]: s.environment },
        }),
        ...allow("ec2", "Ec2EnvironmentResources", ec2All, tagged),
        // The cluster security group is EKS's: tagged `aws:eks:cluster-name` (only AWS sets `aws:` tags), not with ours.
        ...allow("ec2:eks-cluster-group", "RulesOnTheEnvironmentsClusterSecurityGroup", arn("ec2", "security-group/*"), {
            StringEquals: { [EKS_CLUSTER_NAME_TAG]: s.prefix },
        }),
        ...allow("eks", "EnvironmentCluster", [
            arn("eks", `cluster/${s.prefix}`),
            arn("eks", `nodegroup/${s.prefix}/*`),
            arn("eks", `addon/${s.prefix}/*`),
            arn("eks", `access-entry/${s.prefix}/*`),
        ]),
        ...allow("logs", "EnvironmentLogGroups", [
            arn("logs", `log-group:/aws/eks/${s.prefix}/*`),
            arn("logs", `log-group:/ciplatform/${s.prefix}-*`),
        ]),
        ...allow("sqs", "EnvironmentQueues", [arn("sqs", s.prefix), arn("sqs", `${s.prefix}-*`)]),
        ...allow("events", "EnvironmentRules", arn("events", `rule/${s.prefix}-*`)),
        ...allow("ssm", "PublicParameters", [`arn:aws:ssm:${s.region}::parameter/aws/service/*`, arn("ssm", "parameter/aws/service/*")]),
        ...allow("s3", "EnvironmentBuckets", `arn:aws:s3:::${s.prefix}-*`),
        ...allow("secretsmanager", "EnvironmentSecrets", arn("secretsmanager", `secret:${s.prefix}/*`)),
        ...allow("kms", "EnvironmentKeys", arn("kms", "key/*"), tagged),
        ...allow("kms:tag-on-create", "TagNewKeys", arn("kms", "key/*"), taggedOnCreate),
        // Secret values: Secrets Manager encrypts and decrypts with the caller's own KMS permissions.
        ...allow("kms:via:secretsmanager", "SecretValuesWithEnvironmentKeys", arn("kms", "key/*"), {
            StringEquals: { [`aws:ResourceTag/${key}`]: s.environment, "kms:ViaService": `secretsmanager.${s.region}.amazonaws.com` },
        }),
        ...allow("kms:alias", "EnvironmentAliases", arn("kms", `alias/${s.prefix}/*`)),
        // Repositories encrypted with an environment key: ECR creates its grant with the caller's permissions.
        ...allow("kms:via:ecr", "RepositoryKeysThroughEcr", arn("kms", "key/*"), {
            StringEquals: { [`aws:ResourceTag/${key}`]: s.environment, "kms:ViaService": `ecr.${s.region}.amazonaws.com` },
        }),
        // The environment's image repositories (`<prefix>/<name>`) and signing profiles (`<prefix with _>_…`), by name (issue 25).
        ...allow("ecr", "EnvironmentRepositories", arn("ecr", `repository/${s.prefix}/*`)),
        ...allow("signer", "EnvironmentSigningProfiles", arn("signer", `/signing-profiles/${s.prefix.replace(/-/g, "_")}_*`)),
        ...allow("acm-pca", "EnvironmentCertificateAuthority", arn("acm-pca", "certificate-authority/*"), tagged),
        ...allow("acm-pca:tag-on-create", "TagNewCertificateAuthority", arn("acm-pca", "certificate-authority/*"), taggedOnCreate),
        ...allow("acm", "EnvironmentCertificates", arn("acm", "certificate/*"), tagged),
        ...allow("acm:tag-on-create", "TagNewCertificates", arn("acm", "certificate/*"), taggedOnCreate),
        ...allow("iam:role:boundary", "CreateRolesWithinTheBoundary", iam(`role/${s.prefix}-*`), {
            StringEquals: { "iam:PermissionsBoundary": roleBoundaries },
        }),
        ...allow("iam:role", "EnvironmentRoles", iam(`role/${s.prefix}-*`)),
        ...allow("iam:role:attach", "AttachReviewedManagedPolicies", iam(`role/${s.prefix}-*`), {
            ArnEquals: { "iam:PolicyARN": [...ATTACHABLE_MANAGED_POLICIES] },
        }),
        // Karpenter's profiles carry its path (karpenter-provider-aws v1.14.1 pkg/providers/instanceprofile/instanceprofile.go).
        ...allow("iam:instance-profile", "KarpenterInstanceProfilesOnRoleDelete", [
            karpenterInstanceProfileArns(s.accountId, s.region, s.prefix),
            karpenterInstanceProfileArns(s.accountId, s.region, `${s.prefix}-*`),
        ]),
        // The environment's roles, and the EKS cluster service role the foundation made for it, only to the services the map passes them to.
        ...allow("iam:pass", "PassEnvironmentRolesToTheirServices", [iam(`role/${s.prefix}-*`), clusterRole], {
            StringEquals: { "iam:PassedToService": passedTo },
        }),
        ...allow("iam:user:boundary", "CreateUsersWithinTheBoundary", [iam(`user/${s.prefix}-*`), iam(`user/ciplatform/${s.prefix}-*`)], {
            StringEquals: { "iam:PermissionsBoundary": boundary },
        }),
        ...allow("iam:user", "EnvironmentUsers", [iam(`user/${s.prefix}-*`), iam(`user/ciplatform/${s.prefix}-*`)]),
        ...allow("iam:oidc", "ClusterOidcProvider", iam(`oidc-provider/oidc.eks.${s.region}.amazonaws.com/id/*`)),
    ];
    // The foundation's cluster service role: read (the platform reads it by name), never changed.
    allows.push({ Sid: "ReadTheFoundationsClusterRole", Effect: "Allow", Action: sorted(roleReads), Resource: clusterRole });
    if (serviceLinked.length > 0) {
        allows.push({
            Sid: "ServiceLinkedRoles",
            Effect: "Allow",
            Action: "iam:CreateServiceLinkedRole",
            Resource: iam("role/aws-service-role/*"),
            Condition: { StringEquals: { "iam:AWSServiceName": serviceLinked } },
        });
    }
    const unused = [...byClass.keys()].filter((k) => !used.has(k));
    if (unused.length > 0) {
        throw new Error(
            `deploy-permissions: no statement grants the calls of class ${unused.join(", ")}; scope them in deployPermissionStatements`,
        );
    }
    return [...allows, ...guardStatements(s, calls)];
}

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

/** Writes of the foundation's kinds of resources, denied to deploy roles on the foundation's own. */
const FOUNDATION_WRITES = [
    "iam:AttachRolePolicy",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:AddRoleToInstanceProfile",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:DeleteInstanceProfile",
    "iam:DeleteOpenIDConnectProvider",
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:UpdateOpenIDConnectProviderThumbprint",
    "iam:TagOpenIDConnectProvider",
    "iam:DeletePolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
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

/**
 * Explicit denies for what the allows cannot express: the environment tag never moves to or from
 * another environment, other environments' keys are never taken over, no managed policy is authored
 * and no boundary removed, and the foundation's own roles, policies, OIDC provider, state bucket and
 * keys are out of reach (its IAM entities by their path, whatever their names).
 */
function guardStatements(s: DeployScope, calls: readonly DeployCall[]): Statement[] {
    const iam = (resource: string): string => `arn:aws:iam::${s.accountId}:${resource}`;
    const key = s.environmentTagKey;
    const tagActions = sorted(calls.filter((c) => TAGGING.test(c.action) || UNTAGGING.test(c.action)).map((c) => c.action));
    const creates = sorted(calls.filter((c) => c.requestTagged && !TAGGING.test(c.action)).map((c) => c.action));
    const foundation = s.foundation;
    return [
        {
            Sid: "EnvironmentTagStaysInEnvironment",
            Effect: "Deny",
            Action: sorted([...tagActions, ...creates]),
            Resource: "*",
            Condition: {
                "ForAnyValue:StringEquals": { "aws:TagKeys": [key] },
                StringNotEquals: { [`aws:RequestTag/${key}`]: s.environment },
            },
        },
        {
            Sid: "NeverUntagTheEnvironment",
            Effect: "Deny",
            Action: tagActions.filter((a) => UNTAGGING.test(a)),
            Resource: "*",
            Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": [key] } },
        },
        {
            Sid: "OtherEnvironmentsKeysAndResources",
            Effect: "Deny",
            Action: sorted([...KEY_TAKEOVER_ACTIONS, ...tagActions.filter((a) => !a.startsWith("kms:"))]),
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
                iam(`role${FOUNDATION_IAM_PATH}*`),
                iam(`policy${FOUNDATION_IAM_PATH}*`),
                iam(`instance-profile${FOUNDATION_IAM_PATH}*`),
                iam("policy/ciplatform/*"),
                ...(foundation ? [foundation.ciOidcProviderArn, foundation.stateBucketArn, ...foundation.keyArns] : []),
            ],
        },
    ];
}

// ---------------------------------------------------------------------------------------------
// Packing within the quotas.

/** A document over its quota, named for the message. */
export class IamQuotaError extends Error {}

/** Throws when a document is over its quota, naming it, its size, the limit and the source. */
export function assertWithinQuota(what: string, document: PolicyDocument, limit: number): number {
    const size = iamPolicySize(document) ?? Number.POSITIVE_INFINITY;
    if (size > limit) {
        throw new IamQuotaError(
            `${what} is ${size} characters as IAM counts them (JSON without white space); the quota is ${limit} (${IAM_QUOTAS_SOURCE}). ` +
                "Shorten namePrefix or the environment tag key, or split the document",
        );
    }
    return size;
}

/**
 * Splits statements, in order, into as few documents as fit one managed policy each: a statement
 * starts a new document when the current one would go over `limit`. Deterministic (the order and
 * sizes decide), and fails when a statement alone is over the limit or more than `maxPolicies`
 * documents are needed. Returns the statements' indices per document.
 */
export function packStatements(
    what: string,
    statements: readonly Statement[],
    limit: number = IAM_POLICY_SIZE.managedPolicy,
    maxPolicies: number = IAM_COUNTS.managedPoliciesPerRole,
): number[][] {
    const packs: number[][] = [];
    let current: number[] = [];
    const fits = (indices: number[]): boolean => (iamPolicySize(policyDocument(...indices.map((i) => statements[i]))) ?? Infinity) <= limit;
    statements.forEach((statement, i) => {
        if (!fits([i])) {
            assertWithinQuota(`${what}: statement ${statement.Sid ?? i} alone`, policyDocument(statement), limit);
        }
        if (fits([...current, i])) {
            current.push(i);
        } else {
            packs.push(current);
            current = [i];
        }
    });
    if (current.length > 0) {
        packs.push(current);
    }
    if (packs.length > maxPolicies) {
        throw new IamQuotaError(
            `${what} needs ${packs.length} managed policies of at most ${limit} characters; a role takes ${maxPolicies} (${IAM_QUOTAS_SOURCE})`,
        );
    }
    return packs;
}

/** A deploy role's permissions as the managed policies the foundation attaches to it (packed as the Deployer packs them). */
export function deployPolicyDocuments(s: DeployScope): PolicyDocument[] {
    const statements = deployPermissionStatements(s);
    return packStatements(`deploy permissions of ${s.environment}`, statements).map((indices) =>
        policyDocument(...indices.map((i) => statements[i])),
    );
}
