import { z } from "zod";
import { defineSection } from "./define";
import { FALCO_PRIORITIES } from "../../components/findings/values";

/** Policy and runtime findings into AWS Security Hub: Policy Reporter, Falco and Falcosidekick. */
export const findingsSection = defineSection({
    prefix: "findings",
    shape: {
        enabled: z
            .boolean()
            .default(true)
            .describe(
                "Send Kyverno's policy reports and Falco's runtime events to AWS Security Hub (Security Hub must be enabled: foundation securityHubEnabled).",
            ),
        falcoMinimumPriority: z.enum(FALCO_PRIORITIES).default("notice").describe("Lowest Falco priority that becomes a finding."),
        policyReporterChartVersion: z
            .string()
            .regex(/^\d+\.\d+\.\d+$/, "must be an exact version such as 3.9.1")
            .default("3.9.1")
            .describe("Exact Policy Reporter chart version."),
        falcoChartVersion: z
            .string()
            .regex(/^\d+\.\d+\.\d+$/, "must be an exact version such as 9.1.0")
            .default("9.1.0")
            .describe("Exact Falco chart version."),
        falcosidekickChartVersion: z
            .string()
            .regex(/^\d+\.\d+\.\d+$/, "must be an exact version such as 0.14.0")
            .default("0.14.0")
            .describe("Exact Falcosidekick chart version."),
    },
});

/** The foundation enables Security Hub in the account when asked (once per account and region). */
export const securityHubSection = defineSection({
    prefix: "securityHub",
    shape: {
        enabled: z
            .boolean()
            .default(false)
            .describe(
                "Enable AWS Security Hub in the account and region (leave off when the organization's delegated administrator enables it).",
            ),
    },
});
