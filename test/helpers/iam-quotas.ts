/**
 * Measures every IAM identity and policy of a plan against IAM's quotas, as IAM counts them
 * (`iamPolicySize`: no white space), from the planned inputs alone: trust policies, each customer
 * managed policy, each role's/user's/group's inline aggregate and its attached managed policies.
 * Source: IAM and AWS STS quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html.
 */
import { IAM_COUNTS, IAM_POLICY_SIZE, iamPolicySize } from "../../policypack/lib/aws-quotas";

/** The parts of a planned resource the check reads. */
export interface PlannedIam {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    readonly dependsOn?: readonly string[];
}

export interface Measured {
    readonly entity: string;
    readonly measure: string;
    readonly size: number;
    readonly limit: number;
}

const IDENTITIES = {
    "aws:iam/role:Role": {
        inline: "aws:iam/rolePolicy:RolePolicy",
        attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        key: "role",
        inlineLimit: IAM_POLICY_SIZE.roleInlineAggregate,
        countLimit: IAM_COUNTS.managedPoliciesPerRole,
    },
    "aws:iam/user:User": {
        inline: "aws:iam/userPolicy:UserPolicy",
        attachment: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        key: "user",
        inlineLimit: IAM_POLICY_SIZE.userInlineAggregate,
        countLimit: IAM_COUNTS.managedPoliciesPerUser,
    },
    "aws:iam/group:Group": {
        inline: "aws:iam/groupPolicy:GroupPolicy",
        attachment: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        key: "group",
        inlineLimit: IAM_POLICY_SIZE.groupInlineAggregate,
        countLimit: IAM_COUNTS.managedPoliciesPerGroup,
    },
} as const;

/** The size of a planned document; a secret or unknown document cannot be measured and counts as over any quota. */
function sizeOf(document: unknown, rewrite: (text: string) => string): number {
    if (typeof document !== "string") {
        return document === undefined ? 0 : Number.POSITIVE_INFINITY;
    }
    return iamPolicySize(rewrite(document)) ?? Number.POSITIVE_INFINITY;
}

/**
 * Every measurement of a plan's IAM resources. `rewrite` changes each document's text before it is
 * measured (to measure it as it would be with a longer name prefix).
 */
export function measureIam(resources: readonly PlannedIam[], rewrite: (text: string) => string = (t) => t): Measured[] {
    const measured: Measured[] = [];
    for (const policy of resources.filter((r) => r.type === "aws:iam/policy:Policy")) {
        measured.push({
            entity: `policy ${policy.name}`,
            measure: "managed policy",
            size: sizeOf(policy.inputs.policy, rewrite),
            limit: IAM_POLICY_SIZE.managedPolicy,
        });
    }
    for (const [type, kind] of Object.entries(IDENTITIES)) {
        for (const identity of resources.filter((r) => r.type === type)) {
            // A policy belongs to the identity it depends on (its `role`/`user`/`group` input is the identity's name output).
            const belongs = (r: PlannedIam): boolean =>
                (r.dependsOn ?? []).includes(identity.urn) ||
                (identity.inputs.name !== undefined && r.inputs[kind.key] === identity.inputs.name);
            if (type === "aws:iam/role:Role") {
                measured.push({
                    entity: `role ${identity.name}`,
                    measure: "trust policy",
                    size: sizeOf(identity.inputs.assumeRolePolicy, rewrite),
                    limit: IAM_POLICY_SIZE.roleTrustPolicy,
                });
            }
            const inline = resources.filter((r) => r.type === kind.inline && belongs(r));
            const embedded = ((identity.inputs.inlinePolicies as Array<{ policy?: unknown }> | undefined) ?? []).map((p) => p.policy);
            measured.push({
                entity: `${kind.key} ${identity.name}`,
                measure: "inline policies (aggregate)",
                size: [...inline.map((r) => r.inputs.policy), ...embedded].reduce<number>((sum, d) => sum + sizeOf(d, rewrite), 0),
                limit: kind.inlineLimit,
            });
            const attached =
                resources.filter((r) => r.type === kind.attachment && belongs(r)).length +
                ((identity.inputs.managedPolicyArns as unknown[] | undefined) ?? []).length;
            measured.push({
                entity: `${kind.key} ${identity.name}`,
                measure: "managed policies attached",
                size: attached,
                limit: kind.countLimit,
            });
        }
    }
    return measured;
}

/** The measurements over their quota, as readable lines. */
export function overQuota(measured: readonly Measured[]): string[] {
    return measured.filter((m) => m.size > m.limit).map((m) => `${m.entity}: ${m.measure} ${m.size} > ${m.limit}`);
}
