/**
 * The rehearse jobs replay the plans the offline-plan job wrote (issue #23): they fetch its plan files as
 * artifacts and give each to `npm run rehearse -- <plan.json>`, instead of planning every stack a second time.
 * GitLab passes a job's artifacts to the jobs that list it in `needs:` (GitLab docs, "needs" and
 * "artifacts"); GitHub passes files between jobs only through actions/upload-artifact and
 * actions/download-artifact, in a job that `needs:` the uploader. (That every action is pinned to a version is
 * test/components/foundation/deployer.test.ts's.)
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { type GitlabJob, type GitlabPipelineFile, readGitlabPipeline } from "../../tools/pipelines/gitlab";
import { type GithubJob, type GithubWorkflow, readGithubWorkflow } from "../../tools/pipelines/github";

const ROOT = path.join(__dirname, "..", "..");
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), "utf8");

/**
 * The commands shell lines run, one per `;`, with `for v in a b; do …; done` unrolled and `$v`, `${v}`
 * substituted, quotes dropped: enough for these pipelines' one-line loops, and an error for anything else.
 */
function commandsOf(lines: readonly string[]): string[] {
    const out: string[] = [];
    for (const line of lines) {
        let rest = line.trim();
        while (rest) {
            const loop = /^for (\w+) in ([^;]+); do (.*?); done\s*;?\s*/.exec(rest);
            if (loop) {
                const [whole, name, values, body] = loop;
                for (const value of values.trim().split(/\s+/)) {
                    out.push(...body.split(";").map((c) => c.replace(new RegExp(`\\$\\{?${name}\\}?`, "g"), value)));
                }
                rest = rest.slice(whole.length);
                continue;
            }
            if (/^(for|while|if)\b/.test(rest)) throw new Error(`a shell construct this test does not unroll: ${rest}`);
            const command = /^([^;]*);?\s*/.exec(rest) as RegExpExecArray;
            out.push(command[1]);
            rest = rest.slice(command[0].length);
        }
    }
    return out.map((c) => c.replace(/["']/g, "").trim()).filter((c) => c.length > 0);
}

/** The plan files an offline-plan job writes (`npm run plan -- … --json <file>`). */
function planFilesWritten(commands: readonly string[]): string[] {
    return commands.flatMap((c) => {
        const m = /^npm run plan -- .*--json (\S+)/.exec(c);
        return m ? [m[1]] : [];
    });
}

/** A file glob (`*` within a name) as a regular expression. */
const globMatches = (glob: string, file: string): boolean =>
    new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`).test(file);

/** What is wrong with a rehearse job's commands, given the plan files offline-plan writes. */
function rehearsalProblems(written: readonly string[], commands: readonly string[]): string[] {
    const problems: string[] = [];
    const rehearsals = commands.filter((c) => c.startsWith("npm run rehearse"));
    for (const c of commands.filter((c) => c.startsWith("npm run plan"))) problems.push(`plans again: ${c}`);
    const rehearsed: string[] = [];
    for (const c of rehearsals) {
        const m = /^npm run rehearse -- (\S+\.json)$/.exec(c);
        if (m) rehearsed.push(m[1]);
        else problems.push(`does not rehearse a plan file (it plans the stack again): ${c}`);
    }
    const missing = written.filter((f) => !rehearsed.includes(f));
    const unknown = rehearsed.filter((f) => !written.includes(f));
    if (missing.length > 0) problems.push(`plan files offline-plan writes but the rehearsal skips: ${missing.join(", ")}`);
    if (unknown.length > 0) problems.push(`plan files the rehearsal reads that offline-plan does not write: ${unknown.join(", ")}`);
    return problems;
}

type GitlabJobWithArtifacts = GitlabJob & {
    readonly needs?: Array<string | { job: string; artifacts?: boolean }>;
    readonly artifacts?: { paths?: string[] };
};

/** Problems with GitLab's rehearse job: it must need offline-plan (artifacts included), and rehearse exactly its plan files. */
function gitlabProblems(file: GitlabPipelineFile): string[] {
    const planJob = file.jobs["offline-plan"] as GitlabJobWithArtifacts;
    const rehearse = file.jobs.rehearse as GitlabJobWithArtifacts;
    const written = planFilesWritten(commandsOf(planJob.script ?? []));
    assert.ok(written.length >= 4, `offline-plan writes the plan files: ${written.join(", ")}`);
    const problems: string[] = [];
    const need = (rehearse.needs ?? []).find((n) => (typeof n === "string" ? n : n.job) === "offline-plan");
    if (!need) problems.push("rehearse does not list offline-plan in needs: (it would not get its artifacts)");
    else if (typeof need !== "string" && need.artifacts === false) problems.push("rehearse needs offline-plan with artifacts: false");
    for (const f of written) {
        if (!(planJob.artifacts?.paths ?? []).some((glob) => globMatches(glob, f)))
            problems.push(`offline-plan does not keep ${f} as an artifact`);
    }
    return [...problems, ...rehearsalProblems(written, commandsOf(rehearse.script ?? []))];
}

/** Problems with GitHub's rehearse job: it must need offline-plan, download what it uploads before rehearsing, and rehearse exactly its plan files. */
function githubProblems(wf: GithubWorkflow): string[] {
    const planJob = wf.jobs["offline-plan"];
    const rehearse = wf.jobs.rehearse;
    const runs = (job: GithubJob): string[] => commandsOf(job.steps.flatMap((s) => (s.run ? s.run.split("\n") : [])));
    const written = planFilesWritten(runs(planJob));
    assert.ok(written.length >= 4, `offline-plan writes the plan files: ${written.join(", ")}`);
    const problems: string[] = [];
    if (![rehearse.needs ?? []].flat().includes("offline-plan")) problems.push("rehearse does not need offline-plan");
    const upload = planJob.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    const uploaded = String(upload?.with?.path ?? "");
    for (const f of written) if (!globMatches(uploaded, f)) problems.push(`offline-plan does not upload ${f}`);
    const download = rehearse.steps.findIndex(
        (s) => s.uses?.startsWith("actions/download-artifact@") && s.with?.name === upload?.with?.name,
    );
    const firstRehearsal = rehearse.steps.findIndex((s) => /npm run rehearse/.test(s.run ?? ""));
    if (download < 0) problems.push(`rehearse does not download the artifact offline-plan uploads (${String(upload?.with?.name)})`);
    else if (firstRehearsal >= 0 && download > firstRehearsal) problems.push("rehearse downloads the plans after rehearsing");
    return [...problems, ...rehearsalProblems(written, runs(rehearse))];
}

describe("the rehearse jobs rehearse offline-plan's plan files instead of planning again", () => {
    it("shell lines: for loops unrolled, variables substituted, quotes dropped", () => {
        assert.deepEqual(commandsOf(['for s in a b; do npm run plan -- --stack "$s" --json "${s}.plan.json"; done; echo x']), [
            "npm run plan -- --stack a --json a.plan.json",
            "npm run plan -- --stack b --json b.plan.json",
            "echo x",
        ]);
        assert.throws(() => commandsOf(["while true; do x; done"]), /does not unroll/);
    });

    describe("GitLab (.gitlab-ci.yml)", () => {
        const file = readGitlabPipeline(read(".gitlab-ci.yml"));
        it("rehearse needs offline-plan and rehearses each plan file it keeps as an artifact", () => {
            assert.deepEqual(gitlabProblems(file), []);
        });
        it("fails the job as main had it before (rehearse -- --stack <env>, no needs: every stack planned twice)", () => {
            const before = readGitlabPipeline(read(".gitlab-ci.yml"));
            const jobs = before.jobs as Record<string, GitlabJobWithArtifacts>;
            jobs.rehearse = {
                ...jobs.rehearse,
                needs: undefined,
                script: [
                    "npm run rehearse -- --stack dev",
                    "npm run rehearse -- --stack staging",
                    "npm run rehearse -- --stack prod",
                    "npm run rehearse -- --project foundation --stack account",
                ],
            };
            const problems = gitlabProblems(before);
            assert.ok(
                problems.includes("rehearse does not list offline-plan in needs: (it would not get its artifacts)"),
                problems.join("\n"),
            );
            assert.ok(
                problems.some((p) => /does not rehearse a plan file .*--stack dev/.test(p)),
                problems.join("\n"),
            );
            // Reading a plan file offline-plan does not write, or skipping one, is caught too.
            jobs.rehearse = {
                ...jobs.rehearse,
                needs: ["offline-plan"],
                script: ["npm run rehearse -- dev.plan.json", "npm run rehearse -- qa.plan.json"],
            };
            assert.deepEqual(gitlabProblems(before), [
                "plan files offline-plan writes but the rehearsal skips: staging.plan.json, prod.plan.json, foundation.plan.json",
                "plan files the rehearsal reads that offline-plan does not write: qa.plan.json",
            ]);
        });
    });

    describe("GitHub Actions (.github/workflows/platform.yml)", () => {
        const wf = readGithubWorkflow(read(".github/workflows/platform.yml"));
        it("rehearse needs offline-plan, downloads its offline-plans artifact and rehearses each plan file", () => {
            assert.deepEqual(githubProblems(wf), []);
        });
        it("fails the job as main had it before (rehearse -- --stack, no needs, no download)", () => {
            const before = readGithubWorkflow(read(".github/workflows/platform.yml"));
            before.jobs.rehearse = {
                ...before.jobs.rehearse,
                needs: undefined,
                steps: [
                    ...before.jobs.rehearse.steps.filter(
                        (s) => !s.uses?.startsWith("actions/download-artifact@") && !s.run?.includes("rehearse"),
                    ),
                    {
                        run: 'for stack in dev staging prod; do npm run rehearse -- --stack "$stack"; done; npm run rehearse -- --project foundation --stack account',
                    },
                ],
            };
            const problems = githubProblems(before);
            assert.ok(problems.includes("rehearse does not need offline-plan"), problems.join("\n"));
            assert.ok(
                problems.includes("rehearse does not download the artifact offline-plan uploads (offline-plans)"),
                problems.join("\n"),
            );
            assert.ok(
                problems.some((p) => /does not rehearse a plan file .*--stack prod/.test(p)),
                problems.join("\n"),
            );
        });
    });

    it("docs/rehearsal.md keeps `npm run rehearse -- --stack` for local use", () => {
        assert.match(read("docs/rehearsal.md"), /npm run rehearse -- --stack dev/);
    });
});
