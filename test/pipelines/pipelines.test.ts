import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { audienceFor, deployRefFor, deployTrustPolicy, previewTrustPolicy } from "../../components/foundation/deployer-policies";
import { gitlabRunnerTag, githubRunnerLabel, runnerTag } from "../../components/foundation/runner-labels";
import { GITHUB_VARIABLES, GITLAB_VARIABLES } from "../../components/foundation/ci-variables";
import {
    evaluateGitlabIf,
    GitlabExpressionError,
    gitlabPipelineFor,
    GitlabPipelineFile,
    jobVariable,
    readGitlabPipeline,
    Variables,
} from "../../tools/pipelines/gitlab";
import { evaluateGithubExpression, githubRunsFor, GithubEvent, readGithubWorkflow } from "../../tools/pipelines/github";
import { ofType, plan, PlanFile } from "../helpers/mocks";

const ROOT = path.join(__dirname, "..", "..");
const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
const PROJECT = "platform-team/ciplatform";
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), "utf8");

/** GitLab's predefined variables for each kind of pipeline (GitLab docs, "Predefined CI/CD variables"). */
const GITLAB_EVENTS: Record<string, Variables> = {
    "merge request": {
        CI_PIPELINE_SOURCE: "merge_request_event",
        CI_MERGE_REQUEST_IID: "7",
        CI_COMMIT_REF_NAME: "feature",
        CI_COMMIT_REF_PROTECTED: "false",
        CI_DEFAULT_BRANCH: "main",
    },
    "push to a branch with an open merge request": {
        CI_PIPELINE_SOURCE: "push",
        CI_COMMIT_BRANCH: "feature",
        CI_COMMIT_REF_NAME: "feature",
        CI_OPEN_MERGE_REQUESTS: `${PROJECT}!7`,
        CI_COMMIT_REF_PROTECTED: "false",
        CI_DEFAULT_BRANCH: "main",
    },
    main: {
        CI_PIPELINE_SOURCE: "push",
        CI_COMMIT_BRANCH: "main",
        CI_COMMIT_REF_NAME: "main",
        CI_COMMIT_REF_PROTECTED: "true",
        CI_DEFAULT_BRANCH: "main",
    },
    "main-staging": {
        CI_PIPELINE_SOURCE: "push",
        CI_COMMIT_BRANCH: "main-staging",
        CI_COMMIT_REF_NAME: "main-staging",
        CI_COMMIT_REF_PROTECTED: "true",
        CI_DEFAULT_BRANCH: "main",
    },
    "main-prod": {
        CI_PIPELINE_SOURCE: "push",
        CI_COMMIT_BRANCH: "main-prod",
        CI_COMMIT_REF_NAME: "main-prod",
        CI_COMMIT_REF_PROTECTED: "true",
        CI_DEFAULT_BRANCH: "main",
    },
    "schedule on main": {
        CI_PIPELINE_SOURCE: "schedule",
        CI_COMMIT_BRANCH: "main",
        CI_COMMIT_REF_NAME: "main",
        CI_COMMIT_REF_PROTECTED: "true",
        CI_DEFAULT_BRANCH: "main",
    },
    tag: {
        CI_PIPELINE_SOURCE: "push",
        CI_COMMIT_TAG: "v1.2.3",
        CI_COMMIT_REF_NAME: "v1.2.3",
        CI_COMMIT_REF_PROTECTED: "true",
        CI_DEFAULT_BRANCH: "main",
    },
};

/** Exactly which jobs each pipeline holds, and how they start. */
const GITLAB_EXPECTED: Record<string, string[] | null> = {
    "merge request": ["offline-plan", "render-charts", "rehearse", "preview-dev", "preview-staging", "preview-prod"],
    "push to a branch with an open merge request": null,
    main: ["offline-plan", "up-dev"],
    "main-staging": ["offline-plan", "up-staging"],
    "main-prod": ["offline-plan", "up-prod (manual)"],
    "schedule on main": ["offline-plan", "audit-dev", "audit-staging", "audit-prod"],
    tag: ["offline-plan"],
};

const projectVariables = GITLAB_VARIABLES.map((v) => ({ ...v, value: `value-of-${v.output}` }));

describe("pipelines, evaluated as the CI systems evaluate them", () => {
    let foundation: PlanFile;
    before(async () => {
        foundation = await plan({ stack: "account" });
    });

    describe("GitLab rules:if", () => {
        const vars = { CI_COMMIT_BRANCH: "main-staging", CI_DEFAULT_BRANCH: "main", EMPTY: "", PATTERN: "/^main-/" };

        it("a quoted string is a literal: no variable expansion inside quotes (the old staging/prod rules never matched)", () => {
            assert.equal(evaluateGitlabIf('$CI_COMMIT_BRANCH == "${CI_DEFAULT_BRANCH}-staging"', vars), false);
            assert.equal(evaluateGitlabIf("$CI_COMMIT_BRANCH == '$CI_DEFAULT_BRANCH-staging'", vars), false);
            assert.equal(evaluateGitlabIf('$CI_COMMIT_BRANCH == "main-staging"', vars), true);
            assert.equal(evaluateGitlabIf("$CI_DEFAULT_BRANCH == ${CI_DEFAULT_BRANCH}", vars), true);
        });

        it("operators, precedence (&& before ||), parentheses, null and bare variables", () => {
            assert.equal(evaluateGitlabIf("$UNSET == null", vars), true);
            assert.equal(evaluateGitlabIf("$EMPTY", vars), false);
            assert.equal(evaluateGitlabIf("$CI_COMMIT_BRANCH", vars), true);
            assert.equal(evaluateGitlabIf("$CI_COMMIT_BRANCH != 'main'", vars), true);
            assert.equal(evaluateGitlabIf("$CI_COMMIT_BRANCH =~ /^main-(staging|prod)$/", vars), true);
            assert.equal(evaluateGitlabIf("$CI_COMMIT_BRANCH !~ /^main$/", vars), true);
            assert.equal(evaluateGitlabIf("$CI_COMMIT_BRANCH =~ $PATTERN", vars), true);
            assert.equal(evaluateGitlabIf("$UNSET || $CI_COMMIT_BRANCH && $EMPTY", vars), false);
            assert.equal(evaluateGitlabIf("($UNSET || $CI_COMMIT_BRANCH) && $CI_DEFAULT_BRANCH", vars), true);
            assert.throws(() => evaluateGitlabIf("$A == = 'b'", vars), GitlabExpressionError);
        });
    });

    describe("GitLab pipeline", () => {
        const file: GitlabPipelineFile = readGitlabPipeline(read(".gitlab-ci.yml"));

        for (const [event, variables] of Object.entries(GITLAB_EVENTS)) {
            it(`${event}: exactly ${GITLAB_EXPECTED[event] ? GITLAB_EXPECTED[event].join(", ") : "no pipeline"}`, () => {
                const outcome = gitlabPipelineFor(file, variables);
                const expected = GITLAB_EXPECTED[event];
                if (expected === null) {
                    assert.equal(outcome.created, false, "a push to a branch with an open merge request must not make a second pipeline");
                    return;
                }
                assert.ok(outcome.created);
                assert.deepEqual(
                    outcome.jobs.map((j) => (j.when === "on_success" ? j.name : `${j.name} (${j.when})`)).sort(),
                    [...expected].sort(),
                );
            });
        }

        it("each deploy job runs on its environment's CodeBuild deploy runner, from the ref its deploy role trusts, with its audience", () => {
            const projects = ofType(foundation, "aws:codebuild/project:Project").map((p) => p.inputs.name);
            for (const env of ENVIRONMENTS) {
                const job = file.jobs[`up-${env}`];
                assert.deepEqual(job.tags, [gitlabRunnerTag(runnerTag(env, "deploy"))]);
                assert.ok(
                    projects.includes(runnerTag(env, "deploy")),
                    `the foundation has the CodeBuild project ${runnerTag(env, "deploy")}`,
                );
                assert.deepEqual(job.id_tokens, {
                    AWS_ID_TOKEN: { aud: audienceFor({ provider: "gitlab", audiencePrefix: "ciplatform" }, env) },
                });
                // The branch whose pipeline creates this job is the one the trust policy names (deployRefFor).
                const ref = deployRefFor({ protectedBranch: "main" }, env).replace(/^ref_type:branch:ref:/, "");
                const created = Object.entries(GITLAB_EVENTS).filter(([, v]) =>
                    gitlabPipelineFor(file, v).jobs.some((j) => j.name === `up-${env}`),
                );
                assert.deepEqual(
                    created.map(([, v]) => v.CI_COMMIT_BRANCH),
                    [ref],
                );
            }
        });

        it("previews run on the preview runners with the preview audience, and get the preview role ARN in merge-request pipelines", () => {
            const mr = GITLAB_EVENTS["merge request"];
            for (const env of ENVIRONMENTS) {
                // The scheduled audit reads with the preview role too, on the preview runner.
                assert.deepEqual(file.jobs[`audit-${env}`].tags, [gitlabRunnerTag(runnerTag(env, "preview"))]);
                assert.deepEqual(file.jobs[`audit-${env}`].id_tokens, { AWS_ID_TOKEN: { aud: "ciplatform-preview" } });
                const job = file.jobs[`preview-${env}`];
                assert.deepEqual(job.tags, [gitlabRunnerTag(runnerTag(env, "preview"))]);
                assert.deepEqual(job.id_tokens, { AWS_ID_TOKEN: { aud: "ciplatform-preview" } });
                // Protected variables are withheld from merge-request pipelines: the role ARN must still arrive.
                assert.equal(jobVariable(file, job, "ROLE_ARN", mr, projectVariables), "value-of-previewRoleArn", `preview-${env}`);
                assert.equal(jobVariable(file, job, "PULUMI_BACKEND_URL", mr, projectVariables), "value-of-stateUrl", `preview-${env}`);
            }
            // Were the preview variable protected (as the old README said), the preview would get an empty ARN.
            const protectedPreview = projectVariables.map((v) => ({ ...v, protected: true }));
            assert.equal(jobVariable(file, file.jobs["preview-dev"], "ROLE_ARN", mr, protectedPreview), "");
            for (const env of ENVIRONMENTS) {
                const ev = env === "dev" ? GITLAB_EVENTS.main : GITLAB_EVENTS[`main-${env}`];
                assert.equal(jobVariable(file, file.jobs[`up-${env}`], "ROLE_ARN", ev, projectVariables), `value-of-deployRoleArns.${env}`);
            }
        });

        it("deploys are serialised per environment (one resource group each) and request 3 h sessions the deploy roles allow", () => {
            const groups = ENVIRONMENTS.map((env) => file.jobs[`up-${env}`].resource_group);
            assert.equal(new Set(groups).size, 3);
            assert.ok(groups.every((g) => typeof g === "string" && g.length > 0));
            const deployRoles = ofType(foundation, "aws:iam/role:Role").filter((r) => /-deployer-deploy-(dev|staging|prod)$/.test(r.name));
            assert.equal(deployRoles.length, 3);
            for (const env of ENVIRONMENTS) {
                const seconds = Number(jobVariable(file, file.jobs[`up-${env}`], "SESSION_SECONDS", GITLAB_EVENTS.main, projectVariables));
                assert.equal(seconds, 10800);
                // GitLab kills a job at its timeout: the project's (60 minutes by default) unless the job sets one.
                const timeout = /^(\d+)h$/.exec(file.jobs[`up-${env}`].timeout ?? "");
                assert.ok(timeout && Number(timeout[1]) * 3600 >= seconds, `up-${env} timeout ${file.jobs[`up-${env}`].timeout}`);
                for (const role of deployRoles) {
                    assert.ok(Number(role.inputs.maxSessionDuration) >= seconds, `${role.name} allows ${role.inputs.maxSessionDuration}s`);
                }
                assert.ok(
                    Number(jobVariable(file, file.jobs[`preview-${env}`], "SESSION_SECONDS", GITLAB_EVENTS.main, projectVariables)) <= 3600,
                );
            }
        });

        it("the credential step is its own command that fails the job on a failed assumption (no `export $(aws sts …)`)", () => {
            for (const [name, job] of Object.entries(file.jobs).filter(([, j]) => j.id_tokens)) {
                const lines = [...(job.before_script ?? []), ...(job.script ?? [])];
                assert.ok(lines.includes('.ci/assume-role "$ROLE_ARN" "$SESSION_SECONDS"'), name);
                assert.ok(!lines.some((l) => /export \$\(/.test(l)), name);
                assert.ok(
                    lines.indexOf('.ci/assume-role "$ROLE_ARN" "$SESSION_SECONDS"') <
                        lines.findIndex((l) => /^pulumi (preview|up|stack export)/.test(l)),
                    name,
                );
            }
        });

        it("no job installs from plain HTTP (the runners' egress is HTTPS only): no apt, every URL https", () => {
            const egress = ofType(foundation, "aws:ec2/securityGroup:SecurityGroup")
                .filter((g) => /-runners-(deploy|preview)$/.test(g.name))
                .map((g) => g.inputs.egress as Array<{ fromPort: number; toPort: number }>);
            assert.equal(egress.length, 6);
            const texts = [
                JSON.stringify(Object.values(file.jobs).filter((j) => j.id_tokens)),
                ...["assume-role", "install-pulumi", "check-stack-file", "use-node22"].map((s) => read(`.ci/${s}`)),
            ];
            for (const text of texts) {
                assert.doesNotMatch(text, /apt(-get)? (update|install)|dnf install|yum install/);
                for (const url of text.match(/\b[a-z]+:\/\/[^\s"'$]+/g) ?? []) {
                    const port = url.startsWith("https://") ? 443 : url.startsWith("http://") ? 80 : undefined;
                    if (port === undefined) {
                        continue;
                    }
                    for (const rules of egress) {
                        assert.ok(
                            rules.some((r) => r.fromPort <= port && port <= r.toPort),
                            `${url} needs port ${port}, which the runners' security group does not open`,
                        );
                    }
                }
            }
        });

        it("the job image is what the runner project builds with, and Pulumi's CLI is installed at the SDK's version", () => {
            const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { version: string }> };
            const sdk = lock.packages["node_modules/@pulumi/pulumi"].version;
            assert.equal(
                sdk,
                (JSON.parse(read("package.json")) as { dependencies: Record<string, string> }).dependencies["@pulumi/pulumi"],
            );
            const installer = read(".ci/install-pulumi");
            assert.match(installer, /require\("@pulumi\/pulumi\/package.json"\)\.version/);
            assert.match(installer, /sha256sum -c -/);
            // No other pin of the CLI that could drift from the SDK.
            for (const file of [".gitlab-ci.yml", ".github/workflows/platform.yml", ".github/workflows/audit.yml"]) {
                assert.doesNotMatch(read(file), /PULUMI_VERSION|pulumi-version|get\.pulumi\.com/, file);
            }
            for (const job of Object.values(file.jobs).filter((j) => j.id_tokens)) {
                assert.ok(job.before_script?.includes(".ci/install-pulumi"));
                assert.ok(job.before_script?.includes(".ci/use-node22"));
            }
        });
    });

    describe(".ci/assume-role", () => {
        function run(stsExit: number): { status: number; stderr: string; credentials?: string } {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "assume-role-"));
            // A stand-in `aws`: STS answers (or refuses) as the real CLI does with --query/--output text.
            fs.writeFileSync(
                path.join(dir, "aws"),
                // Like botocore, it refuses any command under an AWS_PROFILE that no credentials file holds yet.
                `#!/usr/bin/env bash\nif [ -n "\${AWS_PROFILE-}" ] && ! grep -qs "^\\[\${AWS_PROFILE}\\]" "\${AWS_SHARED_CREDENTIALS_FILE-}"; then\n  echo "The config profile (\${AWS_PROFILE}) could not be found" >&2; exit 255\nfi\nif [ "$2" = "assume-role-with-web-identity" ]; then\n  [ ${stsExit} -eq 0 ] || { echo "An error occurred (AccessDenied)" >&2; exit ${stsExit}; }\n  printf 'AKIA1\\tsecret1\\ttoken1\\n'\nelse\n  echo arn:aws:sts::123456789012:assumed-role/r/s\nfi\n`,
                { mode: 0o755 },
            );
            const credentials = path.join(dir, "creds", "credentials");
            const result = spawnSync(
                path.join(ROOT, ".ci", "assume-role"),
                ["arn:aws:iam::123456789012:role/cip-deployer-deploy-dev", "10800"],
                {
                    env: {
                        PATH: `${dir}:${process.env.PATH}`,
                        AWS_ID_TOKEN: "eyJ.token",
                        AWS_SHARED_CREDENTIALS_FILE: credentials,
                        AWS_PROFILE: "ciplatform",
                    },
                    encoding: "utf8",
                },
            );
            return {
                status: result.status ?? -1,
                stderr: result.stderr,
                credentials: fs.existsSync(credentials) ? fs.readFileSync(credentials, "utf8") : undefined,
            };
        }

        it("writes the role's credentials to the job's profile", () => {
            const ok = run(0);
            assert.equal(ok.status, 0, ok.stderr);
            assert.equal(
                ok.credentials,
                "[ciplatform]\naws_access_key_id = AKIA1\naws_secret_access_key = secret1\naws_session_token = token1\n",
            );
        });

        it("fails the job when STS refuses, writing nothing", () => {
            const refused = run(254);
            assert.notEqual(refused.status, 0);
            assert.equal(refused.credentials, undefined);
            assert.match(refused.stderr, /AccessDenied/);
        });

        it("fails the job on an empty role ARN (a variable withheld from the pipeline)", () => {
            const result = spawnSync(path.join(ROOT, ".ci", "assume-role"), ["", "3600"], {
                encoding: "utf8",
                env: { PATH: process.env.PATH },
            });
            assert.notEqual(result.status, 0);
            assert.match(result.stderr, /role ARN is empty/);
        });
    });

    describe("GitHub Actions", () => {
        const wf = readGithubWorkflow(read(".github/workflows/platform.yml"));
        const repo = PROJECT;
        const pr = (fork: boolean): GithubEvent => ({
            name: "pull_request",
            ref: "refs/pull/7/merge",
            repository: repo,
            event: { pull_request: { head: { repo: { full_name: fork ? "someone/ciplatform" : repo } } } },
        });
        const push = (ref: string): GithubEvent => ({ name: "push", ref, repository: repo, event: {} });
        const describeRuns = (e: GithubEvent): string[] =>
            githubRunsFor(wf, e)
                .map((r) => (r.matrix.stack ? `${r.job}[${String(r.matrix.stack)}]${r.environment ? ` env=${r.environment}` : ""}` : r.job))
                .sort();

        it("expressions: case-insensitive string comparison, && / || return operands, functions", () => {
            const ctx = { github: { event_name: "Pull_Request", ref: "refs/heads/main" } };
            assert.equal(evaluateGithubExpression("github.event_name == 'pull_request'", ctx), true);
            assert.equal(evaluateGithubExpression("${{ startsWith(github.ref, 'refs/heads/') && 'yes' || 'no' }}", ctx), "yes");
            assert.equal(evaluateGithubExpression("!(github.ref == 'refs/heads/main')", ctx), false);
        });

        it("exactly which jobs run for a pull request, a fork's pull request, main, main-staging, main-prod and a tag", () => {
            assert.deepEqual(describeRuns(pr(false)), [
                "offline-plan",
                "preview[dev]",
                "preview[prod]",
                "preview[staging]",
                "rehearse",
                "render-charts",
            ]);
            assert.deepEqual(describeRuns(pr(true)), ["offline-plan", "rehearse", "render-charts"]);
            assert.deepEqual(describeRuns(push("refs/heads/main")), [
                "offline-plan",
                "up[dev] env=dev",
                "up[prod] env=prod",
                "up[staging] env=staging",
            ]);
            assert.deepEqual(describeRuns(push("refs/heads/main-staging")), []);
            assert.deepEqual(describeRuns(push("refs/heads/main-prod")), []);
            assert.deepEqual(describeRuns(push("refs/tags/v1.2.3")), []);
        });

        it("previews and deploys run on their environment's CodeBuild runners", () => {
            for (const run of [...githubRunsFor(wf, pr(false)), ...githubRunsFor(wf, push("refs/heads/main"))]) {
                if (run.job === "preview" || run.job === "up") {
                    const kind = run.job === "up" ? "deploy" : "preview";
                    const label = githubRunnerLabel(runnerTag(String(run.matrix.stack), kind))
                        .replace(/\$\{\{ github\.run_id \}\}/, "1234567890")
                        .replace(/\$\{\{ github\.run_attempt \}\}/, "1");
                    assert.deepEqual(run.runsOn, [label]);
                }
            }
        });

        it("every variable a job reads is visible to it: repository variables anywhere, environment variables only with that environment", () => {
            const level = new Map(GITHUB_VARIABLES.map((v) => [v.name, v.githubLevel]));
            const text = read(".github/workflows/platform.yml");
            const topLevel = JSON.stringify(wf.env ?? {});
            for (const name of topLevel.match(/vars\.(\w+)/g) ?? []) {
                assert.equal(level.get(name.slice(5)), "repository", `${name} in the workflow's env must be a repository variable`);
            }
            for (const [jobName, job] of Object.entries(wf.jobs)) {
                for (const ref of JSON.stringify(job).match(/vars\.(\w+)/g) ?? []) {
                    const name = ref.slice(5);
                    assert.ok(level.has(name), `${jobName} reads ${name}, which docs/empty-account.md does not tell anyone to set`);
                    if (level.get(name) === "environment") {
                        assert.ok(job.environment, `${jobName} reads the environment variable ${name} but names no environment`);
                    }
                }
            }
            assert.match(text, /CIPLATFORM_DEPLOY_ROLE_ARN/);
        });

        it("each run's token matches the trust of the role it assumes (environment in the sub for deploys, pull_request for previews)", () => {
            const ctx = {
                provider: "github" as const,
                oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
                issuerHost: "token.actions.githubusercontent.com",
                project: repo,
                protectedBranch: "main",
                audiencePrefix: "ciplatform",
            };
            const sub = (run: { environment?: string }, e: GithubEvent): string =>
                run.environment
                    ? `repo:${repo}:environment:${run.environment}`
                    : e.name === "pull_request"
                      ? `repo:${repo}:pull_request`
                      : `repo:${repo}:ref:${e.ref}`;
            for (const run of githubRunsFor(wf, pr(false)).filter((r) => r.job === "preview")) {
                const condition = previewTrustPolicy(ctx).Statement[0].Condition as { StringEquals: Record<string, string> };
                assert.equal(condition.StringEquals["token.actions.githubusercontent.com:sub"], sub(run, pr(false)));
            }
            for (const run of githubRunsFor(wf, push("refs/heads/main")).filter((r) => r.job === "up")) {
                const condition = deployTrustPolicy(ctx, String(run.matrix.stack)).Statement[0].Condition as {
                    StringEquals: Record<string, string>;
                };
                assert.equal(condition.StringEquals["token.actions.githubusercontent.com:sub"], sub(run, push("refs/heads/main")));
            }
        });

        it("deploys are serialised per environment (concurrency group each) and request the 3 h session", () => {
            const runs = githubRunsFor(wf, push("refs/heads/main")).filter((r) => r.job === "up");
            assert.deepEqual(runs.map((r) => r.concurrencyGroup).sort(), [
                "ciplatform-deploy-dev",
                "ciplatform-deploy-prod",
                "ciplatform-deploy-staging",
            ]);
            const credentials = (job: string) =>
                wf.jobs[job].steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials"))?.with;
            assert.equal(credentials("up")?.["role-duration-seconds"], 10800);
            assert.equal(credentials("preview")?.["role-duration-seconds"], 3600);
            for (const job of ["preview", "up"]) {
                const runs = wf.jobs[job].steps.map((s) => s.run ?? "");
                assert.ok(
                    runs.some((r) => r.startsWith(".ci/install-pulumi")),
                    job,
                );
                assert.ok(
                    runs.some((r) => r.startsWith(".ci/check-stack-file")),
                    job,
                );
            }
        });
    });

    it("the CI variables docs/empty-account.md tells an administrator to set are exactly those the pipelines read", () => {
        const docs = read("docs/empty-account.md");
        for (const v of [...GITLAB_VARIABLES, ...GITHUB_VARIABLES]) {
            assert.match(docs, new RegExp(`\\b${v.name}\\b`), v.name);
        }
        const gitlab = read(".gitlab-ci.yml").match(/CIPLATFORM_\w+/g) ?? [];
        assert.deepEqual([...new Set(gitlab)].sort(), GITLAB_VARIABLES.map((v) => v.name).sort());
        execFileSync("bash", ["-n", path.join(ROOT, ".ci", "assume-role")]);
    });
});
