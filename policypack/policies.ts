import { Policies, StackValidationPolicy } from "@pulumi/policy";
import { resolveConfig } from "./config";
import { abacPolicies, abacRules } from "./abac";
import { credentialPolicies, credentialRules, credentialStackRules } from "./credentials";
import { encryptionPolicies, encryptionRules, s3Rule } from "./encryption";
import { iamPolicies, iamRules } from "./iam";
import { kubernetesPolicies, kubernetesRules } from "./kubernetes";
import { EXEMPTIONS_REPORT_POLICY, exemptionsReport } from "./exemptions";
import { exposurePolicies, exposureRules } from "./exposure";
import { quotaPolicies, quotaRules, quotaStackRules } from "./quotas";
import { awsResourceRequireOrgTags, orgTagsRule, secretAbacTagRule, secretsmanagerSecretRequireAbacTag } from "./tags";
import { applies } from "./lib/rule";
import { workloadPolicies, workloadRules, workloadStackRules } from "./workloads";

/** Every resource rule, for the exemptions report and the docs. */
export const resourceRules = [
    orgTagsRule,
    secretAbacTagRule,
    ...abacRules,
    ...encryptionRules,
    ...iamRules,
    ...kubernetesRules,
    ...credentialRules,
    ...workloadRules,
    ...exposureRules,
    ...quotaRules,
];
export const stackRules = [s3Rule, ...credentialStackRules, ...workloadStackRules, ...quotaStackRules];

/** Every policy of the pack, in the order docs/policy-pack.md lists them. */
export const policies: Policies = [
    awsResourceRequireOrgTags,
    secretsmanagerSecretRequireAbacTag,
    ...abacPolicies,
    ...encryptionPolicies,
    ...iamPolicies,
    ...kubernetesPolicies,
    ...credentialPolicies,
    ...workloadPolicies,
    ...exposurePolicies,
    ...quotaPolicies,
    exemptionsReport(
        () => resourceRules,
        () => stackRules,
    ),
];

const ruleOf = new Map(resourceRules.map((rule) => [rule.name, rule]));
const stackRuleOf = new Map(stackRules.map((rule) => [rule.name, rule]));

/** Whether a policy can report anything for a resource of `type` (lib/dispatch.ts runs only those). */
export function appliesToType(policy: Policies[number], type: string): boolean {
    const rule = ruleOf.get(policy.name);
    return rule === undefined || applies(rule, type);
}

/** Whether a stack policy can report anything for a stack holding `types`. */
export function stackAppliesToTypes(policy: Policies[number], types: ReadonlySet<string>): boolean {
    const rule = stackRuleOf.get(policy.name);
    return rule === undefined || [...types].some((type) => applies({ types: rule.reads }, type));
}

/**
 * The resources a stack policy reads, by type (undefined: every resource): a stack rule its `reads`; the
 * exemptions report, which re-runs the checks an exemption suppressed, nothing without exemptions, else the types
 * any rule reads.
 */
export function stackReadsOf(policy: StackValidationPolicy, config: Record<string, unknown>): ((type: string) => boolean) | undefined {
    const rule = stackRuleOf.get(policy.name);
    if (rule !== undefined) {
        return (type) => applies({ types: rule.reads }, type);
    }
    if (policy.name === EXEMPTIONS_REPORT_POLICY) {
        return resolveConfig(config, policy.name).exemptions.length === 0
            ? () => false
            : (type) => resourceRules.some((r) => applies(r, type)) || stackRules.some((r) => applies({ types: r.reads }, type));
    }
    return undefined;
}
