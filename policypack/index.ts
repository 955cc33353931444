// Only constructs the pack: constructing it starts the analyzer server, so nothing else imports this file.
import * as fs from "node:fs";
import * as path from "node:path";
import { EnforcementLevel, PolicyPack } from "@pulumi/policy";
import { dispatchByType } from "./lib/dispatch";
import { applies } from "./lib/rule";
import { shareDeserializedInputs } from "./lib/shared-inputs";
import { policies, resourceRules, stackRules } from "./policies";

// One deserialized copy of each resource's inputs for all policies (see lib/shared-inputs.ts).
shareDeserializedInputs();

const NAME = "ciplatform";
const ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";
// The version the host reports, read as PolicyPack reads it (the pack folder's package.json).
const VERSION = (JSON.parse(fs.readFileSync(path.join(__dirname, "package.json"), "utf8")) as { version: string }).version;

// Each Analyze call runs only the policies whose rule applies to the resource's type, and AnalyzeStack
// only the stack rules that read a type the stack holds, each set in one host call (see lib/dispatch.ts).
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
    { name: NAME, version: VERSION, enforcementLevel: ENFORCEMENT_LEVEL },
);

export const policyPack = new PolicyPack(NAME, {
    enforcementLevel: ENFORCEMENT_LEVEL,
    policies,
});
