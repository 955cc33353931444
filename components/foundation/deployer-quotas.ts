/**
 * Every IAM document the Deployer creates, computed before any resource exists (ARNs not known yet
 * at their longest: KMS key ids are UUIDs, bucket names at most 63 characters), measured as IAM counts
 * them and checked against IAM's quotas (IAM and AWS STS quotas,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): the Deployer refuses to
 * construct when one is over, and tools/gen-ci-roles-docs.ts prints the same sizes in docs/ci-roles.md.
 */
import { IAM_COUNTS, IAM_POLICY_SIZE, IAM_QUOTAS_SOURCE, iamPolicySize } from "../../policypack/lib/aws-quotas";
import { PolicyDocument, policyDocument } from "../shared/iam-documents";
import {
    deployStateAccessPolicy,
    deployTrustPolicy,
    previewReadPolicy,
    previewStateAccessPolicy,
    previewTrustPolicy,
    StateAccess,
    TrustContext,
    workloadBoundaryArn,
} from "./deployer-policies";
import { deployPermissionStatements, DeployScope, FoundationResources, IamQuotaError, packStatements } from "./deploy-permissions";
import { actionsOfPhase, UNSCOPABLE_ACTIONS } from "./provider-actions";
import { supplyChainBoundaryDocument, workloadBoundaryDocument } from "./workload-boundary";

/** One measured document (or count) against its quota. */
export interface IamSizeRow {
    /** The role or policy, by the name the Deployer gives it. */
    readonly entity: string;
    /** What is measured: `trust policy`, `inline policies (aggregate)`, `managed policy`, `managed policies attached`. */
    readonly measure: string;
    readonly size: number;
    readonly limit: number;
}

export interface DeployerDocumentsArgs {
    readonly region: string;
    readonly accountId: string;
    readonly namePrefix: string;
    readonly environments: readonly string[];
    readonly environmentTagKey: string;
    /** The platform project whose stacks' state the roles reach. */
    readonly project: string;
    /** The foundation's stack, whose checkpoint the CI roles read (deployer-policies StateAccess). @default - none */
    readonly foundationStack?: { readonly project: string; readonly stack: string };
    /** The trust context; its OIDC provider ARN is the one the provider will have (`arn:aws:iam::<account>:oidc-provider/<host>`). */
    readonly trust: TrustContext;
}

export interface DeployerDocuments {
    readonly rows: readonly IamSizeRow[];
    readonly previewReads: PolicyDocument;
    readonly boundaries: Readonly<Record<string, PolicyDocument>>;
    readonly supplyChainBoundaries: Readonly<Record<string, PolicyDocument>>;
    /** The deploy permissions' statements of an environment, for the foundation's real ARNs. */
    readonly deployScope: (environment: string, foundation: FoundationResources) => DeployScope;
    /** Statement indices of each managed policy of each environment's deploy role. */
    readonly packs: Readonly<Record<string, number[][]>>;
}

/** The longest values the not-yet-known ARNs can take. */
export function worstCaseFoundation(region: string, accountId: string, ciOidcProviderArn: string): FoundationResources {
    return {
        stateBucketArn: `arn:aws:s3:::${"b".repeat(63)}`,
        keyArns: [0, 1].map(() => `arn:aws:kms:${region}:${accountId}:key/${"0".repeat(36)}`),
        ciOidcProviderArn,
    };
}

/** Every document the Deployer creates, with its size against its quota. Throws only when packing is impossible. */
export function deployerDocuments(a: DeployerDocumentsArgs): DeployerDocuments {
    const rows: IamSizeRow[] = [];
    const measure = (entity: string, what: string, document: PolicyDocument, limit: number): void => {
        rows.push({ entity, measure: what, size: iamPolicySize(document) ?? Number.POSITIVE_INFINITY, limit });
    };
    const longest = worstCaseFoundation(a.region, a.accountId, a.trust.oidcProviderArn);
    const state: StateAccess = {
        stateBucketArn: longest.stateBucketArn,
        stateKeyArn: longest.keyArns[0],
        secretsKeyArn: longest.keyArns[1],
        region: a.region,
        project: a.project,
        foundationStack: a.foundationStack,
    };
    const unscopable = new Set(UNSCOPABLE_ACTIONS);
    const previewReads = previewReadPolicy(
        { region: a.region, accountId: a.accountId, namePrefix: a.namePrefix },
        actionsOfPhase("read"),
        (x) => unscopable.has(x),
    );
    const preview = `role ${a.namePrefix}-deployer-preview`;
    measure(preview, "trust policy", previewTrustPolicy(a.trust), IAM_POLICY_SIZE.roleTrustPolicy);
    measure(
        preview,
        "inline policies (aggregate)",
        policyDocument(...previewReads.Statement, ...previewStateAccessPolicy(state).Statement),
        IAM_POLICY_SIZE.roleInlineAggregate,
    );

    const boundaries: Record<string, PolicyDocument> = {};
    const supplyChainBoundaries: Record<string, PolicyDocument> = {};
    const packs: Record<string, number[][]> = {};
    const deployScope = (environment: string, foundation: FoundationResources): DeployScope => ({
        region: a.region,
        accountId: a.accountId,
        prefix: `${a.namePrefix}-${environment}`,
        environment,
        environmentTagKey: a.environmentTagKey,
        workloadBoundaryArn: workloadBoundaryArn(a.accountId, `${a.namePrefix}-${environment}`),
        foundation,
    });
    for (const environment of a.environments) {
        const prefix = `${a.namePrefix}-${environment}`;
        boundaries[environment] = workloadBoundaryDocument({ accountId: a.accountId, region: a.region, prefix });
        supplyChainBoundaries[environment] = supplyChainBoundaryDocument({ accountId: a.accountId, region: a.region, prefix });
        measure(
            `policy ${prefix}-workload-boundary`,
            "managed policy (permissions boundary)",
            boundaries[environment],
            IAM_POLICY_SIZE.managedPolicy,
        );
        measure(
            `policy ${prefix}-supply-chain-boundary`,
            "managed policy (permissions boundary)",
            supplyChainBoundaries[environment],
            IAM_POLICY_SIZE.managedPolicy,
        );
        const role = `role ${a.namePrefix}-deployer-deploy-${environment}`;
        measure(role, "trust policy", deployTrustPolicy(a.trust, environment), IAM_POLICY_SIZE.roleTrustPolicy);
        measure(role, "inline policies (aggregate)", deployStateAccessPolicy(state, environment), IAM_POLICY_SIZE.roleInlineAggregate);
        const statements = deployPermissionStatements(deployScope(environment, longest));
        // Packed with the full count allowed; the count is reported (and checked) as a row of its own.
        packs[environment] = packStatements(`deploy permissions of ${environment}`, statements, IAM_POLICY_SIZE.managedPolicy, Infinity);
        packs[environment].forEach((indices, i) =>
            measure(
                `policy ${a.namePrefix}-deployer-deploy-${environment}-${i + 1}`,
                "managed policy",
                policyDocument(...indices.map((j) => statements[j])),
                IAM_POLICY_SIZE.managedPolicy,
            ),
        );
        rows.push({
            entity: role,
            measure: "managed policies attached",
            size: packs[environment].length,
            limit: IAM_COUNTS.managedPoliciesPerRole,
        });
    }
    return { rows, previewReads, boundaries, supplyChainBoundaries, deployScope, packs };
}

/** Throws one error naming every document over its quota. */
export function assertWithinQuotas(what: string, rows: readonly IamSizeRow[]): void {
    const over = rows.filter((r) => r.size > r.limit);
    if (over.length > 0) {
        throw new IamQuotaError(
            `${what}: ${over.map((r) => `${r.entity}: ${r.measure} is ${r.size}, over its quota of ${r.limit}`).join("; ")} ` +
                `(IAM counts policies without white space; ${IAM_QUOTAS_SOURCE}). Shorten namePrefix or the environment tag key`,
        );
    }
}
