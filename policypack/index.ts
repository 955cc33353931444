// Only constructs the pack: constructing it starts the analyzer server, so nothing else imports this file.
import { PolicyPack } from "@pulumi/policy";
import { shareDeserializedInputs } from "./lib/shared-inputs";
import { policies } from "./policies";

// One deserialized copy of each resource's inputs for all policies (see lib/shared-inputs.ts).
shareDeserializedInputs();

export const policyPack = new PolicyPack("ciplatform", {
    enforcementLevel: "mandatory",
    policies,
});
