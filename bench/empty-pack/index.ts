// The policy host's own floor for `npm run bench`: one resource policy that checks nothing. Served
// by the same host, over the same gRPC calls, as the real pack, so the difference is what rules cost.
import { PolicyPack } from "@pulumi/policy";

export const policyPack = new PolicyPack("bench-empty", {
    enforcementLevel: "advisory",
    policies: [
        {
            name: "bench-empty-policy",
            description: "Checks nothing: the host's cost per resource without any rule.",
            validateResource: () => undefined,
        },
    ],
});
