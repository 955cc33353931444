// Only constructs the pack: constructing it starts the analyzer server, so nothing else imports this file.
import { PolicyPack } from "@pulumi/policy";
import { dispatchByType } from "./lib/dispatch";
import { applies } from "./lib/rule";
import { shareDeserializedInputs } from "./lib/shared-inputs";
import { policies, resourceRules } from "./policies";

// One deserialized copy of each resource's inputs for all policies (see lib/shared-inputs.ts).
shareDeserializedInputs();

// Each Analyze call walks only the policies whose rule applies to the resource's type (see lib/dispatch.ts).
const ruleOf = new Map(resourceRules.map((rule) => [rule.name, rule]));
dispatchByType(policies, (policy, type) => {
    const rule = ruleOf.get(policy.name);
    return rule === undefined || applies(rule, type);
});

export const policyPack = new PolicyPack("ciplatform", {
    enforcementLevel: "mandatory",
    policies,
});
