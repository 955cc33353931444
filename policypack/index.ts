// Only constructs the pack: constructing it starts the analyzer server, so nothing else imports this file.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

export const policyPack = new PolicyPack("ciplatform", {
    enforcementLevel: "mandatory",
    policies,
});
