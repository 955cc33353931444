/** What a deploy runner may run: previews of merge requests, or deploys of the protected branch. */
export type RunnerKind = "deploy" | "preview";

export type CiSystem = "gitlab" | "github";

export interface RunnerUserDataInput {
    readonly ci: CiSystem;
    /** CI server URL (GitLab instance, or https://github.com). */
    readonly ciUrl: string;
    /** `group/project` or `owner/repo`: where a GitHub runner registers. */
    readonly project: string;
    readonly environment: string;
    readonly kind: RunnerKind;
    readonly region: string;
    /** ARN of the Secrets Manager secret holding the registration credential. */
    readonly tokenSecretArn: string;
    readonly gitlabRunnerVersion: string;
    readonly githubRunnerVersion: string;
}

/** The runner's tag (GitLab) or label (GitHub) that pipeline jobs select: `ciplatform-<env>-<kind>`. */
export function runnerTag(environment: string, kind: RunnerKind): string {
    return `ciplatform-${environment}-${kind}`;
}

const q = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * Reads the registration credential from Secrets Manager, waiting until an administrator has put
 * it there: the first `pulumi up` creates the secret empty, and the runner registers on its own
 * once it is filled, without blocking the deployment or a restart.
 */
function waitForToken(input: RunnerUserDataInput): string[] {
    return [
        "token=''",
        'until [ -n "$token" ]; do',
        `  token=$(aws secretsmanager get-secret-value --region ${q(input.region)} --secret-id ${q(input.tokenSecretArn)} --query SecretString --output text 2>/dev/null | jq -r '.token // empty' 2>/dev/null || true)`,
        '  [ -n "$token" ] || { echo "waiting for the runner token in Secrets Manager"; sleep 60; }',
        "done",
    ];
}

function gitlabRunner(input: RunnerUserDataInput): string[] {
    return [
        "# GitLab Runner from GitLab's signed package repository, pinned.",
        "cat > /etc/yum.repos.d/gitlab-runner.repo <<'REPO'",
        "[runner_gitlab-runner]",
        "name=runner_gitlab-runner",
        "baseurl=https://packages.gitlab.com/runner/gitlab-runner/amazon/2023/$basearch",
        "enabled=1",
        "gpgcheck=1",
        "repo_gpgcheck=1",
        "gpgkey=https://packages.gitlab.com/runner/gitlab-runner/gpgkey",
        "sslverify=1",
        "REPO",
        `dnf install -y gitlab-runner-${input.gitlabRunnerVersion}`,
        ...waitForToken(input),
        "# Docker executor: jobs run in containers without privileges; IMDS stays out of their reach (hop limit 1).",
        "gitlab-runner register --non-interactive \\",
        `  --url ${q(input.ciUrl)} --token "$token" \\`,
        `  --name ${q(runnerTag(input.environment, input.kind))} \\`,
        "  --executor docker --docker-image public.ecr.aws/docker/library/node:22 \\",
        "  --docker-privileged=false --docker-volumes /cache",
        "systemctl enable --now gitlab-runner",
    ];
}

function githubRunner(input: RunnerUserDataInput): string[] {
    const version = input.githubRunnerVersion;
    return [
        "# GitHub Actions runner, pinned; it runs as its own unprivileged user.",
        "useradd --create-home --shell /bin/bash runner",
        "usermod -aG docker runner",
        `mkdir -p /opt/actions-runner && cd /opt/actions-runner`,
        `curl -fsSL -o runner.tgz https://github.com/actions/runner/releases/download/v${version}/actions-runner-linux-arm64-${version}.tar.gz`,
        "tar -xzf runner.tgz && rm runner.tgz && chown -R runner:runner /opt/actions-runner",
        ...waitForToken(input),
        "# The secret holds a credential allowed to mint registration tokens for the repository only.",
        `registration=$(curl -fsSL -X POST -H "Authorization: Bearer $token" -H 'Accept: application/vnd.github+json' https://api.github.com/repos/${input.project}/actions/runners/registration-token | jq -r .token)`,
        `sudo -u runner ./config.sh --unattended --url ${q(`https://github.com/${input.project}`)} --token "$registration" --name ${q(`${runnerTag(input.environment, input.kind)}-$(hostname)`)} --labels ${q(runnerTag(input.environment, input.kind))} --replace`,
        "./svc.sh install runner && ./svc.sh start",
    ];
}

/**
 * User data of a deploy runner instance (Amazon Linux 2023): Docker, the CI system's runner,
 * registered with the credential an administrator put into Secrets Manager. The instance holds no
 * deploy permissions: jobs assume the CI roles with their own OIDC tokens.
 */
export function runnerUserData(input: RunnerUserDataInput): string {
    return [
        "#!/bin/bash",
        "set -uo pipefail",
        "dnf install -y docker jq",
        "systemctl enable --now docker",
        ...(input.ci === "gitlab" ? gitlabRunner(input) : githubRunner(input)),
        "",
    ].join("\n");
}
