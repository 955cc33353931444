import { Policies } from "@pulumi/policy";
import { abacPolicies, abacRules } from "./abac";
import { credentialPolicies, credentialRules, credentialStackRules } from "./credentials";
import { encryptionPolicies, encryptionRules, s3Rule } from "./encryption";
import { iamPolicies, iamRules } from "./iam";
import { kubernetesPolicies, kubernetesRules } from "./kubernetes";
import { exemptionsReport } from "./exemptions";
import { exposurePolicies, exposureRules } from "./exposure";
import { quotaPolicies, quotaRules, quotaStackRules } from "./quotas";
import { awsResourceRequireOrgTags, orgTagsRule, secretAbacTagRule, secretsmanagerSecretRequireAbacTag } from "./tags";
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
