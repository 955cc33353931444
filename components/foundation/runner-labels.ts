/**
 * How pipeline jobs select the CodeBuild-hosted runners: one CodeBuild project per environment and
 * kind, named `ciplatform-<env>-<kind>`, and the label CodeBuild matches a queued job against.
 *
 * Sources: AWS CodeBuild user guide, "Label overrides supported with the CodeBuild-hosted GitLab
 * runner" (`codebuild-<project-name>-$CI_PROJECT_ID-$CI_PIPELINE_IID-$CI_JOB_NAME`, required) and
 * "Tutorial: Configure a CodeBuild-hosted GitHub Actions runner"
 * (`runs-on: codebuild-<project-name>-${{ github.run_id }}-${{ github.run_attempt }}`).
 */

/** What a runner runs: previews of merge requests, or deploys of the protected refs. */
export type RunnerKind = "deploy" | "preview";

export type CiSystem = "gitlab" | "github";

export const RUNNER_KINDS: readonly RunnerKind[] = ["deploy", "preview"];

/**
 * Memory of CodeBuild's Linux container compute types, GiB (CodeBuild user guide, "Build environment
 * compute modes and types"). A preview or up runs npm, ts-node and three provider plugins (aws,
 * kubernetes, eks) at once; 3 GiB is not enough for the aws provider's schema alone plus the program.
 */
export const CODEBUILD_MEMORY_GIB: Readonly<Record<string, number>> = {
    BUILD_GENERAL1_SMALL: 3,
    BUILD_GENERAL1_MEDIUM: 7,
    BUILD_GENERAL1_LARGE: 15,
    BUILD_GENERAL1_XLARGE: 70,
    BUILD_GENERAL1_2XLARGE: 145,
};

/** The least memory a preview or up of the platform needs (npm ci + ts-node + aws, kubernetes and eks providers). */
export const MIN_JOB_MEMORY_GIB = 6;

/** The CodeBuild project (and so the runner) of an environment and kind: `ciplatform-<env>-<kind>`. */
export function runnerTag(environment: string, kind: RunnerKind): string {
    return `ciplatform-${environment}-${kind}`;
}

/** The GitLab job tag that makes CodeBuild start a fresh build of `project` for exactly this job. */
export function gitlabRunnerTag(project: string): string {
    return `codebuild-${project}-$CI_PROJECT_ID-$CI_PIPELINE_IID-$CI_JOB_NAME`;
}

/** The GitHub `runs-on` label that makes CodeBuild start a fresh build of `project` for exactly this run attempt. */
export function githubRunnerLabel(project: string): string {
    return `codebuild-${project}-\${{ github.run_id }}-\${{ github.run_attempt }}`;
}
