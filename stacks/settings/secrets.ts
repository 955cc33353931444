import { z } from "zod";
import { defineSection } from "./define";

/** External Secrets Operator and the platform's secrets in Secrets Manager. */
export const secretsSection = defineSection({
    prefix: "secrets",
    shape: {
        chartVersion: z
            .string()
            .regex(/^2\.\d+\.\d+$/, "must be an exact 2.x chart version such as 2.9.0 (API external-secrets.io/v1)")
            .default("2.9.0")
            .describe("Exact version of the external-secrets chart."),
        recoveryWindowDays: z
            .number()
            .int()
            .min(7)
            .max(30)
            .default(30)
            .describe("Days a deleted Secrets Manager secret can be restored (7-30; prod requires 30)."),
        storeName: z
            .string()
            .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a Kubernetes name (lower-case letters, digits, hyphens)")
            .default("platform-secrets")
            .describe("Name of the platform ClusterSecretStore."),
    },
    check: (secrets, { environment }) =>
        environment === "prod" && secrets.recoveryWindowDays !== 30
            ? [{ field: "recoveryWindowDays", message: "prod keeps deleted secrets recoverable for 30 days; set 30 or remove the key" }]
            : [],
});
