/**
 * AWS quotas: an IAM document over its size quota is rejected by CreatePolicy/PutRolePolicy/CreateRole
 * mid-deployment, after the resources before it were created. Counted as IAM counts them, with the
 * same implementation as the rehearsal and the foundation (`lib/aws-quotas.ts`).
 */
import { PolicyResource } from "@pulumi/policy";
import { IAM_POLICY_SIZE, IAM_QUOTAS_SOURCE, iamPolicySize, overQuota, QuotaExcess } from "./lib/aws-quotas";
import { byType, NO_FINDINGS, resourcePolicy, ResourceRule, ResourceView, stackPolicy, StackRule } from "./lib/rule";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

const size = (doc: unknown): number => iamPolicySize(doc) ?? 0;
const NO_EXCESS: readonly QuotaExcess[] = Object.freeze([]);

/**
 * `excess` with the excess of a document added when `overQuota` finds one; its label is written only then (most
 * documents are within their quota, and a label per resource was garbage).
 */
function over(
    excess: QuotaExcess[] | undefined,
    what: (name: string) => string,
    name: string,
    size: number,
    limit: number,
): QuotaExcess[] | undefined {
    const found = overQuota("", size, limit);
    if (found !== undefined) {
        (excess ??= []).push({ ...found, what: what(name) });
    }
    return excess;
}

const trustPolicyOf = (name: string): string => `trust policy of role "${name}"`;
const inlinePoliciesOf = (name: string): string => `inline policies of role "${name}"`;
const managedPolicy = (name: string): string => `managed policy "${name}"`;
const userPolicy = (name: string): string => `inline policy "${name}" of a user`;
const groupPolicy = (name: string): string => `inline policy "${name}" of a group`;

/** The documents of one resource that have a quota of their own, with the quota. */
function measured(r: Pick<ResourceView, "type" | "name" | "props">): readonly QuotaExcess[] {
    let excess: QuotaExcess[] | undefined;
    switch (r.type) {
        case ROLE: {
            excess = over(excess, trustPolicyOf, r.name, size(r.props.assumeRolePolicy), IAM_POLICY_SIZE.roleTrustPolicy);
            const inline: unknown = r.props.inlinePolicies;
            const total = Array.isArray(inline) ? inline.reduce((sum: number, p: { policy?: unknown }) => sum + size(p?.policy), 0) : 0;
            excess = over(excess, inlinePoliciesOf, r.name, total, IAM_POLICY_SIZE.roleInlineAggregate);
            break;
        }
        case "aws:iam/policy:Policy":
            excess = over(excess, managedPolicy, r.name, size(r.props.policy), IAM_POLICY_SIZE.managedPolicy);
            break;
        case "aws:iam/userPolicy:UserPolicy":
            excess = over(excess, userPolicy, r.name, size(r.props.policy), IAM_POLICY_SIZE.userInlineAggregate);
            break;
        case "aws:iam/groupPolicy:GroupPolicy":
            excess = over(excess, groupPolicy, r.name, size(r.props.policy), IAM_POLICY_SIZE.groupInlineAggregate);
            break;
    }
    return excess ?? NO_EXCESS;
}

const message = (e: QuotaExcess): string =>
    `${e.what} is ${e.size} characters (white space not counted), over IAM's quota of ${e.limit} (${IAM_QUOTAS_SOURCE}): split it or scope it down.`;

export const iamDocumentQuotaRule: ResourceRule = {
    name: "iam-document-within-aws-quotas",
    description: `IAM documents fit IAM's size quotas, counted as IAM counts them: trust policy ${IAM_POLICY_SIZE.roleTrustPolicy}, a role's own inline policies ${IAM_POLICY_SIZE.roleInlineAggregate}, managed policy ${IAM_POLICY_SIZE.managedPolicy}, a user's inline policies ${IAM_POLICY_SIZE.userInlineAggregate}, a group's ${IAM_POLICY_SIZE.groupInlineAggregate} characters.`,
    enforcementLevel: "mandatory",
    types: [ROLE, "aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"],
    check: (r) => {
        const excess = measured(r);
        return excess.length === 0 ? NO_FINDINGS : excess.map(message);
    },
};

/**
 * Reads an input that may be unknown during preview (the host's proxy throws on unknown values):
 * an unknown document or name is left out of the sum; the resource rule reports it as "can't run".
 */
function known<T>(read: () => T, fallback: T): T {
    try {
        return read();
    } catch {
        return fallback;
    }
}

/** Inline policies of a role: the ones the Role declares itself (`inlinePolicies`). */
function ownInline(role: PolicyResource): number {
    const inline: unknown = known(() => role.props.inlinePolicies, undefined);
    return Array.isArray(inline)
        ? inline.reduce((sum: number, p: { policy?: unknown }) => sum + known(() => iamPolicySize(p?.policy) ?? 0, 0), 0)
        : 0;
}

/**
 * IAM sums every inline policy of a role (the Role's own `inlinePolicies` and each RolePolicy),
 * so this is a stack rule: RolePolicies are linked to their role by the role name or id they name.
 */
export const roleInlineQuotaRule: StackRule = {
    name: "iam-role-inline-policies-within-aws-quota",
    description: `All inline policies of one role (its inlinePolicies and every RolePolicy naming it) fit IAM's aggregate quota of ${IAM_POLICY_SIZE.roleInlineAggregate} characters.`,
    enforcementLevel: "mandatory",
    reads: [ROLE, ROLE_POLICY],
    // Without a RolePolicy the role's own inline policies are judged by iam-document-within-aws-quotas.
    requiresType: ROLE_POLICY,
    check: (resources) => {
        const index = byType(resources);
        const roles = index.get(ROLE) ?? [];
        type Entry = { size: number; separate: number; label: string; urn: string; name: string; tags: unknown };
        const byReference = new Map<string, Entry>();
        const entryFor = (reference: string, fallback: PolicyResource): Entry => {
            let entry = byReference.get(reference);
            if (!entry) {
                entry = {
                    size: 0,
                    separate: 0,
                    label: reference,
                    urn: fallback.urn,
                    name: fallback.name,
                    tags: known(() => fallback.props.tags, undefined),
                };
                byReference.set(reference, entry);
            }
            return entry;
        };
        for (const role of roles) {
            const entry = entryFor(roleReference(role), role);
            Object.assign(entry, { urn: role.urn, name: role.name, tags: known(() => role.props.tags, undefined) });
            entry.size += ownInline(role);
        }
        for (const policy of index.get(ROLE_POLICY) ?? []) {
            // By reference (the role resource among its dependencies), else by the name it gives.
            const role = policy.dependencies.find((d) => d.type === ROLE);
            const reference = role ? roleReference(role) : known(() => String(policy.props.role ?? ""), "");
            const entry = entryFor(reference, policy);
            entry.size += known(() => iamPolicySize(policy.props.policy) ?? 0, 0);
            entry.separate++;
        }
        return [...byReference.values()].flatMap((e) => {
            if (e.separate === 0) {
                return [];
            }
            const excess = overQuota(`inline policies of role "${e.label}"`, e.size, IAM_POLICY_SIZE.roleInlineAggregate);
            return excess ? [{ urn: e.urn, name: e.name, tags: e.tags, message: message(excess) }] : [];
        });
    },
};

/** A role's IAM name when known, else its logical name (what a RolePolicy's role input names). */
function roleReference(role: PolicyResource): string {
    return known(() => String(role.props.name ?? role.name), role.name);
}

export const quotaRules = [iamDocumentQuotaRule];
export const quotaStackRules = [roleInlineQuotaRule];
export const quotaPolicies = [resourcePolicy(iamDocumentQuotaRule), stackPolicy(roleInlineQuotaRule)];
