import { z } from "zod";
import { defineSection } from "./define";

/** An ECR repository name below the environment's prefix: lower-case path segments, as ECR allows. */
const repositoryName = z
    .string()
    .regex(
        /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/,
        "must be an ECR repository name: lower-case letters, digits, and . _ - / between them, e.g. apps/web",
    )
    .max(200, "must be at most 200 characters (ECR allows 256, the environment prefix takes the rest)");

/** An image pattern Kyverno matches with `*` and `?` wildcards, e.g. `quay.io/example/*`. */
const imagePattern = z
    .string()
    .regex(/^[a-z0-9][a-z0-9.:-]*(?:\/[A-Za-z0-9._*?@:-]+)+$/, "must be an image pattern such as quay.io/example/tool:* (registry/path)");

/** Image signing (AWS Signer), the platform's ECR repositories, and Kyverno admitting only signed images. */
export const supplyChainSection = defineSection({
    prefix: "supplyChain",
    shape: {
        enabled: z
            .boolean()
            .default(true)
            .describe("Create the signing profile, ECR repositories, CI job role and Kyverno's signed-image admission."),
        repositories: z
            .array(repositoryName)
            .min(1, "must name at least one repository")
            .refine((names) => new Set(names).size === names.length, "must not repeat a repository")
            .default(["apps"])
            .describe("ECR repositories CI pushes to, created as <namePrefix>-<environment>/<name> (immutable tags, KMS, scan on push)."),
        signatureValidityMonths: z
            .number()
            .int()
            .min(1)
            .max(135)
            .default(12)
            .describe("Validity of signatures made with the environment's AWS Signer profile, in months (Signer allows up to 135)."),
        keepImages: z
            .number()
            .int()
            .min(10)
            .max(1000)
            .default(100)
            .describe(
                "Tagged images each repository keeps: older ones expire with their signatures (lifecycle rule); untagged artifacts are never selected.",
            ),
        exemptImages: z
            .array(imagePattern)
            .default([])
            .describe(
                "Public images admitted without a digest pin, besides the platform's reviewed add-on list (docs/supply-chain.md: how to exempt an image).",
            ),
        kyvernoChartVersion: z
            .string()
            .regex(/^\d+\.\d+\.\d+$/, "must be an exact version such as 3.9.0")
            .default("3.9.0")
            .describe("Exact Kyverno chart version."),
        notationAwsChartVersion: z
            .string()
            .regex(/^\d+\.\d+\.\d+$/, "must be an exact version such as 1.1.0")
            .default("1.1.0")
            .describe("Exact kyverno-notation-aws chart version (the Notation + AWS Signer verification service Kyverno calls)."),
    },
});
