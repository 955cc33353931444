import { z } from "zod";
import { NAME_PREFIX_PATTERN, NAME_PREFIX_RULE } from "../../components/shared/names";
import { defineSection } from "./define";

/** AWS tag keys: up to 128 characters from AWS's allowed set, and never the reserved `aws:` prefix. */
export const tagKey = z
    .string()
    .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, "must be 1-128 letters, digits, spaces or _.:/=+-@")
    .refine((k) => !k.toLowerCase().startsWith("aws:"), "must not start with the reserved prefix aws:");

const tagValue = z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u, "must be 1-256 letters, digits, spaces or _.:/=+-@");

/** Settings every environment needs: identity, org tags, ABAC key and data-safety switches. */
export const coreSection = defineSection({
    prefix: "",
    shape: {
        environment: z
            .enum(["dev", "staging", "prod"])
            .describe("Environment this stack is: decides durability defaults and which rules are strict."),
        owner: tagValue.describe("Team that owns the stack; the value of the owner org tag."),
        costCenter: tagValue.describe("Cost centre billed for the stack; the value of the cost-center org tag."),
        namePrefix: z
            .string()
            .regex(NAME_PREFIX_PATTERN, NAME_PREFIX_RULE)
            .default("cip")
            .describe("Prefix of every resource name, so IAM and policies can scope by name."),
        tagKeyEnvironment: tagKey.default("environment").describe("Tag key that carries the environment org tag."),
        tagKeyOwner: tagKey.default("owner").describe("Tag key that carries the owner org tag."),
        tagKeyCostCenter: tagKey.default("cost-center").describe("Tag key that carries the cost-center org tag."),
        tagKeyManagedBy: tagKey.default("managed-by").describe("Tag key that carries the managed-by org tag (value: pulumi)."),
        abacTagKey: tagKey
            .default("ekssecret")
            .describe("Tag key on Secrets Manager secrets naming the Kubernetes namespace allowed to read them."),
        protectStatefulResources: z
            .boolean()
            .default(true)
            .describe(
                "Protect KMS keys, the CA, buckets and volumes from deletion; turning it off is the explicit opt-in to destroy them (prod also needs allowUnprotectedProd).",
            ),
        allowUnprotectedProd: z
            .boolean()
            .default(false)
            .describe("Override that lets a prod stack set protectStatefulResources false (e.g. to decommission it); ignored elsewhere."),
        kmsDeletionWindowDays: z
            .number()
            .int()
            .min(7)
            .max(30)
            .default(30)
            .describe("Waiting period in days before a deleted KMS key is destroyed (7-30; prod requires 30)."),
    },
    check: (core) => {
        const issues: Array<{ field: "kmsDeletionWindowDays" | "protectStatefulResources"; message: string }> = [];
        if (core.environment === "prod" && core.kmsDeletionWindowDays !== 30) {
            issues.push({ field: "kmsDeletionWindowDays", message: "prod keeps the 30-day KMS deletion window; set 30 or remove the key" });
        }
        if (core.environment === "prod" && !core.protectStatefulResources && !core.allowUnprotectedProd) {
            issues.push({
                field: "protectStatefulResources",
                message:
                    "prod keeps its stateful resources protected: allowed is true; to turn it off anyway (e.g. to decommission prod), also set allowUnprotectedProd: true",
            });
        }
        return issues;
    },
});
