// Only constructs the pack: constructing it starts the analyzer server, so nothing else imports this file.
import * as fs from "node:fs";
import * as path from "node:path";
import { EnforcementLevel, PolicyPack } from "@pulumi/policy";
import { dispatchByType } from "./lib/dispatch";
import { shareDeserializedInputs } from "./lib/shared-inputs";
import { appliesToType, policies, stackAppliesToTypes, stackReadsOf } from "./policies";

// One deserialized copy of each resource's inputs for all policies (see lib/shared-inputs.ts).
shareDeserializedInputs();

const NAME = "ciplatform";
const ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";
// The version the host reports, read as PolicyPack reads it (the pack folder's package.json).
const VERSION = (JSON.parse(fs.readFileSync(path.join(__dirname, "package.json"), "utf8")) as { version: string }).version;

// Each Analyze call runs only the policies whose rule applies to the resource's type, and AnalyzeStack
// only the stack rules that read a type the stack holds, over the resources they read, each set in one host
// call (see lib/dispatch.ts).
dispatchByType(
    policies,
    appliesToType,
    stackAppliesToTypes,
    { name: NAME, version: VERSION, enforcementLevel: ENFORCEMENT_LEVEL },
    stackReadsOf,
);

export const policyPack = new PolicyPack(NAME, {
    enforcementLevel: ENFORCEMENT_LEVEL,
    policies,
});
