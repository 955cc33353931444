// Only constructs the pack: constructing it starts the analyzer server, so nothing else imports this file.
import { PolicyPack } from "@pulumi/policy";
import { dispatchByType } from "./lib/dispatch";
import { applies } from "./lib/rule";
import { shareDeserializedInputs } from "./lib/shared-inputs";
import { policies, resourceRules, stackRules } from "./policies";

// One deserialized copy of each resource's inputs for all policies (see lib/shared-inputs.ts).
shareDeserializedInputs();

// Each Analyze call walks only the policies whose rule applies to the resource's type, and AnalyzeStack
// only the stack rules that read a type the stack holds (see lib/dispatch.ts).
const ruleOf = new Map(resourceRules.map((rule) => [rule.name, rule]));
const stackRuleOf = new Map(stackRules.map((rule) => [rule.name, rule]));
dispatchByType(
    policies,
    (policy, type) => {
        const rule = ruleOf.get(policy.name);
        return rule === undefined || applies(rule, type);
    },
    (policy, types) => {
        const rule = stackRuleOf.get(policy.name);
        return rule === undefined || [...types].some((type) => applies({ types: rule.reads }, type));
    },
);

export const policyPack = new PolicyPack("ciplatform", {
    enforcementLevel: "mandatory",
    policies,
});
