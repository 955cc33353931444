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

/** Sizes of the document strings measured so far (see `iamPolicySize`). */
const sizes = new Map<string, number | undefined>();
const SIZES_LIMIT = 4096;

/**
 * The size IAM counts for a policy document: its JSON without white space outside strings.
 * Accepts a JSON string or an object; returns undefined for anything that is not JSON.
 */
export function iamPolicySize(document: unknown): number | undefined {
    if (typeof document !== "string") {
        return document === null || typeof document !== "object" ? undefined : JSON.stringify(document).length;
    }
    // The same document is measured by several rules and resources (a role's inline policy, the quota
    // rules, the rehearsal): parsed once per distinct string. Bounded, so a huge stack cannot grow it without end.
    if (sizes.has(document)) {
        return sizes.get(document);
    }
    let size: number | undefined;
    try {
        const value: unknown = JSON.parse(document);
        size = value === null || typeof value !== "object" ? undefined : JSON.stringify(value).length;
    } catch {
        size = undefined;
    }
    if (sizes.size >= SIZES_LIMIT) {
        sizes.clear();
    }
    sizes.set(document, size);
    return size;
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

/**
 * Tag rules most AWS services enforce on create (TagResource and the create calls' Tags):
 * "Tagging AWS resources", https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions
 * (50 user tags per resource, key 1-128 and value 0-256 Unicode characters, the `aws:` prefix reserved).
 */
export const AWS_TAG_RULES = {
    maxTags: 50,
    keyMaxLength: 128,
    valueMaxLength: 256,
    reservedPrefix: "aws:",
    source: "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions",
} as const;

/** KMS: "Key policy document size: 32 KB (32,768 bytes)". */
export const KMS_QUOTAS_SOURCE = "https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html";

/** Name rules of the services' create calls, each with its API reference. */
export const SERVICE_NAME_RULES = {
    /** CreateQueue QueueName: up to 80 alphanumerics, hyphens, underscores; a FIFO queue's ends in `.fifo`. */
    sqsQueue: {
        max: 80,
        pattern: /^[A-Za-z0-9_-]{1,80}$|^[A-Za-z0-9_-]{1,75}\.fifo$/,
        source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
    },
    /** CreateTopic Name: up to 256 alphanumerics, hyphens, underscores; a FIFO topic's ends in `.fifo`. */
    snsTopic: {
        max: 256,
        pattern: /^[A-Za-z0-9_-]{1,256}$|^[A-Za-z0-9_-]{1,251}\.fifo$/,
        source: "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
    },
    /**
     * General purpose bucket names ("General purpose bucket naming rules"): 3-63 lowercase letters, digits, dots,
     * hyphens; start and end alphanumeric; no two adjacent dots, no IP-address form; not starting with the
     * reserved prefixes `xn--`, `sthree-` (and `sthree-configurator`), `amzn-s3-demo-`; not ending with the
     * reserved suffixes `-s3alias` (access point aliases), `--ol-s3` (Object Lambda aliases), `.mrap`
     * (Multi-Region Access Points), `--x-s3` (directory buckets), `--table-s3` (table buckets).
     */
    s3Bucket: {
        max: 63,
        reservedPrefixes: ["xn--", "sthree-", "amzn-s3-demo-"],
        reservedSuffixes: ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"],
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
    },
    /** CreateCluster name: 1-100 characters, begins alphanumeric, then alphanumerics, hyphens, underscores. */
    eksCluster: {
        max: 100,
        pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/,
        source: "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html",
    },
    /** `bucketPrefix`: the provider appends 26 characters (terraform `id.PrefixedUniqueId`), so at most 37. */
    s3BucketPrefixMax: 37,
} as const;

/**
 * Why S3 rejects a general purpose bucket name (empty: it accepts it). `prefix`: the name is a `bucketPrefix`
 * the provider completes with a 26-character suffix of digits, so only its length, characters, first
 * character and reserved prefixes can be judged.
 */
export function s3BucketNameProblems(name: string, prefix = false): string[] {
    const rule = SERVICE_NAME_RULES.s3Bucket;
    const problems: string[] = [];
    const max = prefix ? SERVICE_NAME_RULES.s3BucketPrefixMax : rule.max;
    if (name.length > max || (!prefix && name.length < 3))
        problems.push(`${name.length} characters (${prefix ? `at most ${max} for a prefix` : "3 to 63"})`);
    if (/[^a-z0-9.-]/.test(name)) problems.push("only lowercase letters, digits, dots and hyphens are allowed");
    if (!/^[a-z0-9]/.test(name)) problems.push("must begin with a letter or digit");
    if (!prefix && !/[a-z0-9]$/.test(name)) problems.push("must end with a letter or digit");
    if (name.includes("..")) problems.push("two adjacent dots");
    if (!prefix && /^\d+\.\d+\.\d+\.\d+$/.test(name)) problems.push("formatted as an IP address");
    for (const p of rule.reservedPrefixes) if (name.startsWith(p)) problems.push(`reserved prefix ${p}`);
    if (!prefix) for (const sfx of rule.reservedSuffixes) if (name.endsWith(sfx)) problems.push(`reserved suffix ${sfx}`);
    return problems;
}

/** VPC: inbound or outbound rules per security group (default 60 each, per IP version; adjustable). */
export const VPC_QUOTAS = {
    rulesPerSecurityGroupPerDirection: 60,
    source: "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups",
} as const;
