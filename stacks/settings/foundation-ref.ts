import { z } from "zod";
import { defineSection } from "./define";

/** Where a platform stack finds its environment's network, runners and CI roles: the foundation stack. */
export const foundationRefSection = defineSection({
    prefix: "foundation",
    shape: {
        stack: z
            .string()
            .regex(
                /^[\w.-]+\/[\w.-]+\/[\w.-]+$/,
                "must be the fully qualified stack name <organization>/<project>/<stack>, e.g. organization/ciplatform-foundation/account",
            )
            .default("organization/ciplatform-foundation/account")
            .describe(
                "The foundation stack whose outputs (networks, runners, CI roles) this stack uses; with the S3 backend the organization is `organization`.",
            ),
    },
});
