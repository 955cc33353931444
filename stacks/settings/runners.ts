import { z } from "zod";
import { runnerVersionOfChart } from "../../components/gitlab-runners/config";
import { runnerSupportsSeccomp } from "../../components/gitlab-runners/versions";
import { ARCHITECTURES } from "../../components/shared/architectures";
import { defineSection } from "./define";

/**
 * The oldest gitlab-runner chart the platform accepts: chart 0.88.0 ships runner 18.11, the first runner that sets a
 * seccomp profile on job pods, which Pod Security "restricted" requires (gitlab-org/charts/gitlab-runner, CHANGELOG.md).
 */
export const RUNNER_CHART_MINIMUM = "0.88.0";
const RUNNER_CHART_DEFAULT = "0.93.0";

/** Orders two dotted numeric versions (1.2.10 after 1.2.9). */
export function compareVersions(a: string, b: string): number {
    const [pa, pb] = [a.split(".").map(Number), b.split(".").map(Number)];
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
        const d = (pa[i] ?? 0) - (pb[i] ?? 0);
        if (d !== 0) {
            return d;
        }
    }
    return 0;
}

const quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/, "must be a Kubernetes quantity such as 500m, 2 or 4Gi");

/** GitLab runners: one per architecture, jobs on spot CI nodes of their own architecture. */
export const runnersSection = defineSection({
    prefix: "runners",
    shape: {
        enabled: z.boolean().default(true).describe("Deploy the GitLab runners."),
        architectures: z
            .array(z.enum(ARCHITECTURES))
            .min(1)
            .refine((a) => new Set(a).size === a.length, "must not repeat an architecture")
            .default(["arm64", "amd64"])
            .describe("One runner per architecture; each needs a CI NodePool (karpenterCiArchitectures)."),
        gitlabUrl: z
            .string()
            .regex(/^https:\/\/[a-z0-9.-]+(:\d+)?(\/[\w./-]*)?$/, "must be an https:// URL of GitLab.com or your self-managed GitLab")
            .default("https://gitlab.com")
            .describe("GitLab instance the runners serve (GitLab.com or self-managed)."),
        tokenSecretName: z
            .string()
            .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/, "must be a Kubernetes name such as gitlab-runner-token")
            .default("")
            .describe(
                "Name of each runner's token secret: Secrets Manager `<stack>/<runner namespace>/<name>`, synced to a Kubernetes Secret of that name. Required when runners are enabled.",
            ),
        chartVersion: z
            .string()
            .regex(/^\d+\.\d+\.\d+$/, `must be an exact chart version such as ${RUNNER_CHART_DEFAULT}`)
            .refine(
                (v) => compareVersions(v, RUNNER_CHART_MINIMUM) >= 0,
                `must be ${RUNNER_CHART_MINIMUM} or later (runner 18.11+, the first that sets a seccomp profile on job pods), such as ${RUNNER_CHART_DEFAULT}`,
            )
            .default(RUNNER_CHART_DEFAULT)
            .describe(
                `Exact gitlab-runner chart version (${RUNNER_CHART_MINIMUM} or later: runner 18.11+); the runner and helper image version follow from it.`,
            ),
        concurrent: z.number().int().min(1).max(500).default(10).describe("Jobs each runner runs at once."),
        checkInterval: z.number().int().min(1).max(60).default(3).describe("Seconds between polls of GitLab for new jobs."),
        extraTags: z
            .array(z.string().regex(/^[\w.-]+$/, "must be a GitLab tag (letters, digits, _ . -)"))
            .default([])
            .describe("Tags added to every runner besides its architecture tags."),
        jobCpuRequest: quantity.default("500m").describe("Default CPU request of job pods."),
        jobCpuLimit: quantity.default("2").describe("Default CPU limit of job pods."),
        jobMemoryRequest: quantity.default("1Gi").describe("Default memory request of job pods."),
        jobMemoryLimit: quantity.default("4Gi").describe("Default memory limit of job pods."),
        cacheExpiryDays: z.number().int().min(1).max(365).default(14).describe("Days before cache objects expire."),
        jobRoleArn: z
            .string()
            .regex(
                /^(arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+)?$/,
                "must be an IAM role ARN, or empty for jobs without cloud permissions",
            )
            .default("")
            .describe("IAM role job pods may use (IRSA); empty: jobs get no cloud permissions."),
    },
    check: (runners) => {
        const issues: Array<{ field: "tokenSecretName" | "chartVersion"; message: string }> = [];
        if (runners.enabled && runners.tokenSecretName === "") {
            issues.push({
                field: "tokenSecretName",
                message:
                    "is required when runners are enabled: name the secret that will hold each runner's glrt- token (e.g. gitlab-runner-token)",
            });
        }
        const runnerVersion = runnerVersionOfChart(runners.chartVersion);
        if (runnerVersion === undefined || !runnerSupportsSeccomp(runnerVersion)) {
            issues.push({
                field: "chartVersion",
                message: `ships runner ${runnerVersion ?? "unknown"}; use 0.88.0 or later (runner v18.11.0+, the first that gives job pods a seccomp profile)`,
            });
        }
        return issues;
    },
});
