/**
 * AWS quotas and name rules that reject a create, counted as the service counts them. One source of
 * truth: the policy pack's quota rule, the rehearsal (`tools/rehearse`) and the foundation's own
 * construction-time checks all read these.
 *
 * Sources:
 * - IAM: "IAM and AWS STS quotas", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 *   ("IAM doesn't count white space when calculating the size of a policy against these limits").
 * - KMS: "Key policy quotas", https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html
 *   (32 KB per key policy document).
 */

/** Size limits of IAM policy documents, in characters without white space. */
export const IAM_POLICY_SIZE = {
    /** Aggregate of every inline policy of one role (not adjustable). */
    roleInlineAggregate: 10_240,
    /** Aggregate of every inline policy of one user (not adjustable). */
    userInlineAggregate: 2_048,
    /** Aggregate of every inline policy of one group (not adjustable). */
    groupInlineAggregate: 5_120,
    /** One customer managed policy (not adjustable). */
    managedPolicy: 6_144,
    /** A role's trust policy, by default (adjustable up to 4,096 through Service Quotas). */
    roleTrustPolicy: 2_048,
} as const;

/** Count limits of IAM entities. */
export const IAM_COUNTS = {
    /** Managed policies attached to one role, by default (adjustable up to 20). */
    managedPoliciesPerRole: 10,
    /** Managed policies attached to one user, by default (adjustable up to 20). */
    managedPoliciesPerUser: 10,
    /** Managed policies attached to one group (not adjustable). */
    managedPoliciesPerGroup: 10,
    /** Tags on one IAM resource. */
    tagsPerResource: 50,
} as const;

/** IAM name and path rules (CreateRole, CreatePolicy, CreateInstanceProfile, CreateUser API references). */
export const IAM_NAMES = {
    roleName: { max: 64, pattern: /^[\w+=,.@-]+$/ },
    userName: { max: 64, pattern: /^[\w+=,.@-]+$/ },
    groupName: { max: 128, pattern: /^[\w+=,.@-]+$/ },
    policyName: { max: 128, pattern: /^[\w+=,.@-]+$/ },
    instanceProfileName: { max: 128, pattern: /^[\w+=,.@-]+$/ },
    /** `/` alone, or `/…/` of printable ASCII without spaces. */
    path: { max: 512, pattern: /^(?:\/|\/[\x21-\x7E]+\/)$/ },
    /** CreateRole's RoleName with a name prefix: the provider appends 26 characters (terraform `id.PrefixedUniqueId`). */
    namePrefixSuffixLength: 26,
} as const;

/** KMS key policy document size in bytes (32 KB). */
export const KMS_KEY_POLICY_MAX_BYTES = 32_768;

/**
 * The size IAM counts for a policy document: its JSON without white space outside strings.
 * Accepts a JSON string or an object; returns undefined for anything that is not JSON.
 */
export function iamPolicySize(document: unknown): number | undefined {
    let value: unknown = document;
    if (typeof document === "string") {
        try {
            value = JSON.parse(document);
        } catch {
            return undefined;
        }
    }
    if (value === null || typeof value !== "object") {
        return undefined;
    }
    return JSON.stringify(value).length;
}

export interface QuotaExcess {
    /** What was measured, for the message ("inline policies of role x"). */
    readonly what: string;
    readonly size: number;
    readonly limit: number;
}

/** Compares a measured size to its quota; returns the excess, or undefined when it fits. */
export function overQuota(what: string, size: number, limit: number): QuotaExcess | undefined {
    return size > limit ? { what, size, limit } : undefined;
}

export const IAM_QUOTAS_SOURCE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";
