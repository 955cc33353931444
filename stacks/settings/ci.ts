import { z } from "zod";
import { defineSection, secretSetting } from "./define";

/** The foundation project: CI identity provider, preview and deploy roles, state backend. */
export const ciSection = defineSection({
    prefix: "ci",
    shape: {
        provider: z.enum(["gitlab", "github"]).default("gitlab").describe("CI system whose OIDC tokens the roles trust."),
        url: z
            .string()
            .regex(/^https:\/\/[a-z0-9.-]+(:\d+)?$/, "must be the https:// issuer URL of the CI system, without a path")
            .default("https://gitlab.com")
            .describe("OIDC issuer: https://gitlab.com, your self-managed GitLab, or https://token.actions.githubusercontent.com."),
        project: z
            .string()
            .regex(/^([\w.-]+\/)+[\w.-]+$|^$/, "must be a project path such as platform/ciplatform (GitLab) or org/repo (GitHub)")
            .default("")
            .describe("The repository whose pipelines may assume the roles (group/project or owner/repo). Required."),
        protectedBranch: z
            .string()
            .regex(/^[\w./-]+$/, "must be a branch name")
            .default("main")
            .describe("Branch whose pipelines deploy."),
        environments: z
            .array(z.enum(["dev", "staging", "prod"]))
            .min(1)
            .refine((e) => new Set(e).size === e.length, "must not repeat an environment")
            .default(["dev", "staging", "prod"])
            .describe("Environments that get a deploy role."),
        audiencePrefix: z
            .string()
            .regex(/^[a-z0-9-]+$/, "must be lower-case letters, digits and hyphens")
            .default("ciplatform")
            .describe("GitLab id_token audiences: <prefix>-preview for merge requests, <prefix>-<environment> for deploys."),
        permissionsBoundaryArn: z
            .string()
            .regex(/^(arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/[\w+=,.@/-]+)?$/, "must be an IAM policy ARN or empty")
            .default("")
            .describe("Permissions boundary set on the deploy roles (empty: none)."),
        thirdPartyAccountId: z
            .string()
            .regex(/^(\d{12})?$/, "must be a 12-digit AWS account id or empty")
            .default("")
            .describe("Account of a third party given read-only access (empty: none)."),
        thirdPartyExternalId: secretSetting(
            z
                .string()
                .regex(/^([\w+=,.@:/-]{2,1224})?$/, "must be 2-1224 characters of [\\w+=,.@:/-]")
                .default("")
                .describe("External ID the third party must present; a secret: set it with `pulumi config set --secret`."),
        ),
    },
    check: (ci) => {
        const issues: Array<{ field: "project" | "thirdPartyExternalId" | "url"; message: string }> = [];
        if (ci.project === "") {
            issues.push({ field: "project", message: "is required: the repository whose pipelines assume the roles" });
        }
        if (ci.thirdPartyAccountId !== "" && ci.thirdPartyExternalId === "") {
            issues.push({
                field: "thirdPartyExternalId",
                message: "is required with ciThirdPartyAccountId: third-party access always needs an External ID",
            });
        }
        if (ci.provider === "github" && ci.url !== "https://token.actions.githubusercontent.com") {
            issues.push({ field: "url", message: "GitHub Actions tokens come from https://token.actions.githubusercontent.com" });
        }
        return issues;
    },
});
