/**
 * The IAM size-quota rules (policypack/quotas.ts) called directly, at the quota's boundary: each
 * document type against its own quota, a role's inline policies summed with every RolePolicy that
 * names it (by dependency or by the name it gives), and inputs unknown during preview left out.
 */
import { strict as assert } from "node:assert";
import type { PolicyResource } from "@pulumi/policy";
import { DEFAULT_CONFIG } from "../../policypack/config";
import { IAM_POLICY_SIZE, IAM_QUOTAS_SOURCE, iamPolicySize } from "../../policypack/lib/aws-quotas";
import { iamDocumentQuotaRule, roleInlineQuotaRule } from "../../policypack/quotas";

type Json = Record<string, unknown>;
/** A policy document of exactly `size` characters as IAM counts them. */
function docOf(size: number): string {
    const base =
        iamPolicySize({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::" }] }) ?? 0;
    const doc = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${"a".repeat(size - base)}` }],
    });
    assert.equal(iamPolicySize(doc), size);
    return doc;
}
const over = (what: string, size: number, limit: number) =>
    `${what} is ${size} characters (white space not counted), over IAM's quota of ${limit} (${IAM_QUOTAS_SOURCE}): split it or scope it down.`;
const check = (type: string, props: Json) =>
    iamDocumentQuotaRule.check({ type, name: "x", urn: `urn:pulumi:dev::p::${type}::x`, props, stackTags: new Map() }, DEFAULT_CONFIG);

const resource = (type: string, name: string, props: Json, dependencies: PolicyResource[] = []): PolicyResource =>
    ({
        type,
        name,
        urn: `urn:pulumi:dev::p::${type}::${name}`,
        props,
        dependencies,
        propertyDependencies: {},
        isComponent: false,
        opts: {},
    }) as unknown as PolicyResource;
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const stack = (resources: PolicyResource[]) => roleInlineQuotaRule.check(resources, DEFAULT_CONFIG, new Map());

describe("IAM quota rules by form (policypack/quotas.ts)", () => {
    it("iam-document-within-aws-quotas: each document type against its own quota, at the boundary", () => {
        const cases: Array<[string, string, number, string]> = [
            ["aws:iam/policy:Policy", "policy", IAM_POLICY_SIZE.managedPolicy, 'managed policy "x"'],
            ["aws:iam/userPolicy:UserPolicy", "policy", IAM_POLICY_SIZE.userInlineAggregate, 'inline policy "x" of a user'],
            ["aws:iam/groupPolicy:GroupPolicy", "policy", IAM_POLICY_SIZE.groupInlineAggregate, 'inline policy "x" of a group'],
            [ROLE, "assumeRolePolicy", IAM_POLICY_SIZE.roleTrustPolicy, 'trust policy of role "x"'],
        ];
        for (const [type, input, limit, what] of cases) {
            assert.deepEqual(check(type, { [input]: docOf(limit) }), [], type);
            assert.deepEqual(check(type, { [input]: docOf(limit + 1) }), [over(what, limit + 1, limit)], type);
        }
        assert.deepEqual(check("aws:iam/policy:Policy", { policy: "not json" }), []);
    });

    it("iam-document-within-aws-quotas: a role's own inline policies are summed", () => {
        const half = IAM_POLICY_SIZE.roleInlineAggregate / 2;
        assert.deepEqual(check(ROLE, { inlinePolicies: [{ policy: docOf(half) }, { policy: docOf(half) }] }), []);
        assert.deepEqual(check(ROLE, { inlinePolicies: [{ policy: docOf(half) }, { policy: docOf(half + 1) }, {}, null] }), [
            over('inline policies of role "x"', 2 * half + 1, IAM_POLICY_SIZE.roleInlineAggregate),
        ]);
        assert.deepEqual(check(ROLE, { inlinePolicies: { policy: docOf(IAM_POLICY_SIZE.roleInlineAggregate + 1) } }), []);
    });

    it("iam-role-inline-policies-within-aws-quota: the role's inline policies plus each RolePolicy naming it, by dependency or by name", () => {
        const limit = IAM_POLICY_SIZE.roleInlineAggregate;
        const role = resource(ROLE, "ci", { name: "ci-role", tags: { team: "a" }, inlinePolicies: [{ policy: docOf(4000) }] });
        const byDependency = resource(ROLE_POLICY, "p1", { role: "ignored", policy: docOf(3000) }, [role]);
        const byName = resource(ROLE_POLICY, "p2", { role: "ci-role", policy: docOf(limit - 7000) });
        assert.deepEqual(stack([role, byDependency, byName]), []);
        const bigger = resource(ROLE_POLICY, "p2", { role: "ci-role", policy: docOf(limit - 6999) });
        assert.deepEqual(stack([role, byDependency, bigger]), [
            { urn: role.urn, name: "ci", tags: { team: "a" }, message: over('inline policies of role "ci-role"', limit + 1, limit) },
        ]);
        // A role without an IAM name is named by its logical name; RolePolicies of another role do not count.
        const unnamed = resource(ROLE, "logical", { inlinePolicies: [{ policy: docOf(limit - 200) }] });
        assert.deepEqual(stack([unnamed, resource(ROLE_POLICY, "p", { role: "other", policy: docOf(201) })]), []);
        assert.deepEqual(stack([unnamed, resource(ROLE_POLICY, "p", { role: "logical", policy: docOf(201) })]), [
            { urn: unnamed.urn, name: "logical", tags: undefined, message: over('inline policies of role "logical"', limit + 1, limit) },
        ]);
    });

    it("iam-role-inline-policies-within-aws-quota: RolePolicies of a role not in the stack are summed together; a role alone is left to the resource rule", () => {
        const limit = IAM_POLICY_SIZE.roleInlineAggregate;
        const a = resource(ROLE_POLICY, "a", { role: "external", policy: docOf(limit - 200), tags: { t: "1" } });
        const b = resource(ROLE_POLICY, "b", { role: "external", policy: docOf(201) });
        assert.deepEqual(stack([a, b]), [
            { urn: a.urn, name: "a", tags: { t: "1" }, message: over('inline policies of role "external"', limit + 1, limit) },
        ]);
        assert.deepEqual(stack([resource(ROLE, "big", { inlinePolicies: [{ policy: docOf(limit + 1) }] })]), []);
    });

    it("iam-role-inline-policies-within-aws-quota: inputs unknown during preview are left out of the sum", () => {
        const limit = IAM_POLICY_SIZE.roleInlineAggregate;
        const unknown = (known: Json, unknownKeys: string[]): Json => {
            const props: Json = { ...known };
            for (const key of unknownKeys) {
                Object.defineProperty(props, key, {
                    enumerable: true,
                    get() {
                        throw new Error(`${key} is unknown during preview`);
                    },
                });
            }
            return props;
        };
        const role = resource(ROLE, "r", unknown({}, ["name", "tags", "inlinePolicies"]));
        const policies = [
            resource(ROLE_POLICY, "p1", { role: "r", policy: docOf(limit) }),
            resource(ROLE_POLICY, "p2", unknown({ role: "r" }, ["policy"])),
            resource(ROLE_POLICY, "p3", unknown({ policy: docOf(200) }, ["role"])),
        ];
        assert.deepEqual(stack([role, ...policies]), []);
        const inlineUnknown = resource(ROLE, "r", { inlinePolicies: [unknown({}, ["policy"]), { policy: docOf(200) }] });
        assert.deepEqual(stack([inlineUnknown, policies[0]]), [
            { urn: inlineUnknown.urn, name: "r", tags: undefined, message: over('inline policies of role "r"', limit + 200, limit) },
        ]);
    });
});
