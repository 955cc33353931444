import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { runnerTag } from "../../components/foundation/runner-user-data";
import { deployRefFor } from "../../components/foundation/deployer-policies";

const ROOT = path.join(__dirname, "..", "..");
const ENVIRONMENTS = ["dev", "staging", "prod"];

interface GitlabJob {
    script?: unknown[];
    tags?: string[];
    rules?: Array<{ if?: string; when?: string }>;
    id_tokens?: Record<string, { aud: string }>;
    variables?: Record<string, string>;
    extends?: string;
}

/** The pipeline's concrete jobs with `extends` and YAML anchors resolved, as GitLab evaluates them. */
function gitlabJobs(): Record<string, GitlabJob> {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, ".gitlab-ci.yml"), "utf8"), { merge: true }) as Record<string, unknown>;
    const reserved = new Set(["variables", "default", "stages", "include", "workflow"]);
    const resolve = (job: GitlabJob): GitlabJob => {
        if (!job.extends) {
            return job;
        }
        const base = resolve(doc[job.extends] as GitlabJob);
        return { ...base, ...job, variables: { ...base.variables, ...job.variables } };
    };
    return Object.fromEntries(
        Object.entries(doc)
            .filter(([name]) => !reserved.has(name) && !name.startsWith("."))
            .map(([name, job]) => [name, resolve(job as GitlabJob)]),
    );
}

const scriptText = (job: GitlabJob): string => JSON.stringify(job.script ?? []);
const talksToAwsOrCluster = (job: GitlabJob): boolean =>
    /pulumi (preview|up|refresh|destroy)|assume-role/.test(scriptText(job)) || job.id_tokens !== undefined;
const isMergeRequestJob = (job: GitlabJob): boolean => (job.rules ?? []).some((r) => r.if?.includes("merge_request_event"));
/** Jobs that only read the cloud: merge-request previews and the scheduled audit of deployed state. */
const isReadOnlyJob = (job: GitlabJob): boolean =>
    isMergeRequestJob(job) || (job.rules ?? []).some((r) => r.if?.includes('$CI_PIPELINE_SOURCE == "schedule"'));

describe("pipelines", () => {
    describe("GitLab", () => {
        const jobs = gitlabJobs();

        it("runs every job that talks to AWS or the cluster on its environment's in-network runner", () => {
            const cloudJobs = Object.entries(jobs).filter(([, job]) => talksToAwsOrCluster(job));
            assert.ok(cloudJobs.length >= 6, `${cloudJobs.length} cloud jobs`);
            for (const [name, job] of cloudJobs) {
                const env = job.variables?.STACK;
                assert.ok(env && ENVIRONMENTS.includes(env), `${name} names its environment`);
                const kind = isReadOnlyJob(job) ? "preview" : "deploy";
                assert.deepEqual(job.tags, [runnerTag(env, kind)], `${name} runs on the ${env} ${kind} runner`);
            }
        });

        it("keeps the offline plan on shared runners, without credentials", () => {
            assert.equal(jobs["offline-plan"].tags, undefined);
            assert.equal(jobs["offline-plan"].id_tokens, undefined);
            assert.match(scriptText(jobs["offline-plan"]), /npm run plan/);
        });

        it("gives merge-request jobs only the preview audience and the preview runners: they cannot get a deploy role", () => {
            for (const [name, job] of Object.entries(jobs).filter(([, j]) => isReadOnlyJob(j))) {
                const audiences = Object.values(job.id_tokens ?? {}).map((t) => t.aud);
                assert.ok(
                    audiences.every((aud) => aud === "ciplatform-preview"),
                    name,
                );
                assert.ok(
                    (job.tags ?? []).every((t) => t.endsWith("-preview")),
                    name,
                );
                assert.doesNotMatch(scriptText(job), /pulumi up/, name);
            }
        });

        it("deploys each environment only from the protected ref its deploy role trusts, on its deploy runner, prod behind a manual gate", () => {
            const deployJobs = Object.entries(jobs).filter(([, j]) => /pulumi up/.test(scriptText(j)));
            assert.deepEqual(deployJobs.map(([name]) => name).sort(), ["up-dev", "up-prod", "up-staging"]);
            for (const [name, job] of deployJobs) {
                const env = job.variables?.STACK ?? "";
                assert.ok(!isMergeRequestJob(job), name);
                // The same ref the foundation's deploy role for this environment trusts (deployRefFor).
                const ref = deployRefFor({ protectedBranch: "main" }, env)
                    .replace(/^ref_type:branch:ref:/, "")
                    .replace(/^main/, "${CI_DEFAULT_BRANCH}");
                const expected =
                    ref === "${CI_DEFAULT_BRANCH}" ? "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" : `$CI_COMMIT_BRANCH == "${ref}"`;
                assert.ok(
                    job.rules?.every((r) => r.if?.includes('$CI_COMMIT_REF_PROTECTED == "true"') && r.if.startsWith(expected)),
                    `${name}: ${JSON.stringify(job.rules)}`,
                );
                assert.ok(
                    job.tags?.every((t) => t.endsWith("-deploy")),
                    name,
                );
            }
            assert.equal(jobs["up-prod"].rules?.[0].when, "manual");
        });
    });

    describe("GitHub Actions", () => {
        type Job = {
            if?: string;
            "runs-on": string | string[];
            permissions?: Record<string, string>;
            steps: Array<{ uses?: string; with?: Record<string, unknown> }>;
            strategy?: { matrix: { stack: string[] } };
        };
        const wf = YAML.parse(fs.readFileSync(path.join(ROOT, ".github/workflows/platform.yml"), "utf8")) as { jobs: Record<string, Job> };

        it("runs previews and deploys on the environment's self-hosted runners, the offline plan on a hosted one", () => {
            assert.deepEqual(wf.jobs.preview["runs-on"], ["self-hosted", "ciplatform-${{ matrix.stack }}-preview"]);
            assert.deepEqual(wf.jobs.up["runs-on"], ["self-hosted", "ciplatform-${{ matrix.stack }}-deploy"]);
            assert.equal(wf.jobs["offline-plan"]["runs-on"], "ubuntu-24.04");
            assert.equal(wf.jobs["offline-plan"].permissions, undefined);
            assert.equal(runnerTag("dev", "preview"), "ciplatform-dev-preview");
        });

        it("never lets pull requests deploy, nor fork pull requests reach the self-hosted runners", () => {
            assert.match(String(wf.jobs.preview.if), /github\.event_name == 'pull_request'/);
            assert.match(String(wf.jobs.preview.if), /head\.repo\.full_name == github\.repository/);
            assert.match(String(wf.jobs.up.if), /github\.event_name == 'push' && github\.ref == 'refs\/heads\/main'/);
        });
    });
});
