/**
 * The CI/CD variables an administrator sets after the foundation's first `up` (docs/empty-account.md,
 * step 9), and the foundation output each comes from. One list for the docs, the pipeline tests and
 * the bootstrap rehearsal.
 *
 * GitLab passes protected variables only to pipelines of protected branches and tags (GitLab docs,
 * "CI/CD variables: Protect a CI/CD variable"): merge-request pipelines run on unprotected source
 * branches, so what previews read must not be protected. GitHub passes environment variables only to
 * jobs that name the environment (`environment:`), repository variables to every job.
 */
export interface CiVariable {
    readonly name: string;
    /** `pulumi stack output <output>` of the foundation that holds the value (a dotted path into it). */
    readonly output: string;
    /** GitLab: protected (deploy jobs only). */
    readonly protected: boolean;
    /** GitHub: a repository variable, or one per environment. */
    readonly githubLevel: "repository" | "environment";
}

export const GITLAB_VARIABLES: readonly CiVariable[] = [
    { name: "CIPLATFORM_STATE_URL", output: "stateUrl", protected: false, githubLevel: "repository" },
    { name: "CIPLATFORM_PREVIEW_ROLE_ARN", output: "previewRoleArn", protected: false, githubLevel: "repository" },
    { name: "CIPLATFORM_DEPLOY_ROLE_ARN_DEV", output: "deployRoleArns.dev", protected: true, githubLevel: "environment" },
    { name: "CIPLATFORM_DEPLOY_ROLE_ARN_STAGING", output: "deployRoleArns.staging", protected: true, githubLevel: "environment" },
    { name: "CIPLATFORM_DEPLOY_ROLE_ARN_PROD", output: "deployRoleArns.prod", protected: true, githubLevel: "environment" },
];

/** GitHub: repository variables, and `CIPLATFORM_DEPLOY_ROLE_ARN` in each environment (dev, staging, prod). */
export const GITHUB_VARIABLES: readonly CiVariable[] = [
    { name: "CIPLATFORM_STATE_URL", output: "stateUrl", protected: false, githubLevel: "repository" },
    { name: "CIPLATFORM_PREVIEW_ROLE_ARN", output: "previewRoleArn", protected: false, githubLevel: "repository" },
    { name: "CIPLATFORM_DEPLOY_ROLE_ARN", output: "deployRoleArns.<environment>", protected: false, githubLevel: "environment" },
];

/** The foundation outputs the variables come from. */
export interface CiVariableSources {
    readonly stateUrl: string;
    readonly previewRoleArn: string;
    readonly deployRoleArns: Readonly<Record<string, string>>;
}

/**
 * Each variable's value, as the administrator enters it: GitLab project variables by name; GitHub
 * repository variables by name and environment variables as `<environment>/<name>`.
 */
export function ciVariableValues(provider: "gitlab" | "github", s: CiVariableSources): Record<string, string> {
    const valueOf = (output: string, environment?: string): string | undefined => {
        if (output === "stateUrl") {
            return s.stateUrl;
        }
        if (output === "previewRoleArn") {
            return s.previewRoleArn;
        }
        const env = output.startsWith("deployRoleArns.") ? output.slice("deployRoleArns.".length) : undefined;
        return s.deployRoleArns[env === "<environment>" ? (environment ?? "") : (env ?? "")];
    };
    const out: Record<string, string> = {};
    if (provider === "gitlab") {
        for (const v of GITLAB_VARIABLES) {
            const value = valueOf(v.output);
            if (value !== undefined) {
                out[v.name] = value;
            }
        }
        return out;
    }
    for (const v of GITHUB_VARIABLES) {
        if (v.githubLevel === "repository") {
            out[v.name] = valueOf(v.output) ?? "";
            continue;
        }
        for (const environment of Object.keys(s.deployRoleArns)) {
            out[`${environment}/${v.name}`] = valueOf(v.output, environment) ?? "";
        }
    }
    return out;
}
