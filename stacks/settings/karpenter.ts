import { z } from "zod";
import { ARCHITECTURES } from "../../components/shared/architectures";
import { defineSection } from "./define";

const weight = z.number().int().min(1).max(100);
const cpuLimit = z.number().int().min(1).max(100_000);

/** Karpenter: chart versions, AMI, and the weight and limit of every NodePool. */
export const karpenterSection = defineSection({
    prefix: "karpenter",
    shape: {
        chartVersion: z
            .string()
            .regex(/^1\.\d+\.\d+$/, "must be an exact 1.x chart version such as 1.14.1")
            .default("1.14.1")
            .describe("Exact version of the karpenter and karpenter-crd charts (v1 API)."),
        amiAlias: z
            .string()
            .regex(/^al2023@(latest|v\d{8})$/, "must be an AL2023 alias: al2023@latest or al2023@vYYYYMMDD")
            .default("al2023@latest")
            .describe("EC2NodeClass AMI alias; prod pins a release (al2023@vYYYYMMDD), @latest only outside prod."),
        gravitonWeight: weight.default(100).describe("Weight (1-100) of the general Graviton (arm64) pool; must exceed the x86 weight."),
        x86Weight: weight.default(10).describe("Weight (1-100) of the general x86 (amd64) fallback pool."),
        generalCpuLimit: cpuLimit.default(200).describe("vCPU limit of each general pool."),
        ciArchitectures: z
            .array(z.enum(ARCHITECTURES))
            .min(1)
            .refine((a) => new Set(a).size === a.length, "must not repeat an architecture")
            .default(["arm64", "amd64"])
            .describe("Architectures that get a CI NodePool (Spot preferred, on-demand fallback; tainted for CI jobs)."),
        ciWeight: weight.default(50).describe("Weight (1-100) of the CI pools."),
        ciCpuLimit: cpuLimit.default(400).describe("vCPU limit of each CI pool."),
        ciConsolidateAfter: z
            .string()
            .regex(/^\d+[smh]$/, "must be a duration such as 30s, 5m or 1h")
            .default("1m")
            .describe("How long a CI node must be empty or underused before Karpenter consolidates it."),
        rootVolumeGiB: z
            .number()
            .int()
            .min(20)
            .max(1024)
            .default(50)
            .describe("Size of every Karpenter node's encrypted root volume, GiB."),
    },
    check: (karpenter, { environment }) => {
        const issues: Array<{ field: "gravitonWeight" | "amiAlias"; message: string }> = [];
        if (karpenter.gravitonWeight <= karpenter.x86Weight) {
            issues.push({
                field: "gravitonWeight",
                message: `must be higher than karpenterX86Weight (${karpenter.x86Weight}) so Graviton is preferred`,
            });
        }
        if (environment === "prod" && karpenter.amiAlias.endsWith("@latest")) {
            issues.push({ field: "amiAlias", message: "prod pins its AMI: use al2023@vYYYYMMDD, not @latest" });
        }
        return issues;
    },
});
