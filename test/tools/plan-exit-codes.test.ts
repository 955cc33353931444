/**
 * `npm run plan`'s exit code for every outcome its help documents (0 clean, 1 a mandatory policy
 * violation, 2 bad config, usage, or a program that fails under the loader), what it prints, and the
 * plan file it writes, run in this process through `runPlanCli` (the function the script's main calls).
 * The planner is given as a function here so each outcome is reached without planning a stack; the
 * child-process tests in plan.test.ts run the same CLI with the real planner.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UsageError } from "../../tools/cli/args";
import { PolicyConfigError, PolicyHostError, Violation } from "../../tools/offline/analyzer";
import { PlanOptions, PlanUsageError, ProgramError, runPlan } from "../../tools/offline/plan";
import { runPlanCli } from "../../tools/plan";

type Planner = typeof runPlan;
type Planned = Awaited<ReturnType<Planner>>;

const QUEUE = "urn:pulumi:dev::ciplatform::aws:sqs/queue:Queue::jobs";
function planned(options: PlanOptions, violations: Violation[]): Planned {
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    return {
        version: 2,
        project: "ciplatform",
        stack: options.stack,
        resources: [
            {
                urn: QUEUE,
                type: "aws:sqs/queue:Queue",
                name: "jobs",
                custom: true,
                parent: null,
                provider: null,
                protect: false,
                retainOnDelete: false,
                dependsOn: ["urn:pulumi:dev::ciplatform::aws:kms/key:Key::k"],
                inputs: { name: "jobs" },
            },
        ],
        policy: { pack: "ciplatform", violations },
        summary: { resources: 1, byType: { "aws:sqs/queue:Queue": 1 }, mandatory, advisory: violations.length - mandatory },
        outputs: { queueUrl: "https://sqs.example/jobs" },
        logs: [
            { severity: "warning", message: "  a warning from the program\n", urn: "" },
            { severity: "info", message: "an info line the CLI does not show", urn: "" },
        ],
    } as Planned;
}
const finding = (enforcementLevel: "mandatory" | "advisory"): Violation => ({
    policy: "aws-resource-require-org-tags",
    enforcementLevel,
    urn: QUEUE,
    message: 'aws:sqs/queue:Queue "jobs" is missing org tags "owner": set them in its tags input.',
});

async function run(args: string[], plan: Planner) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const progress: string[] = [];
    const code = await runPlanCli(
        args,
        // A terminal: every progress update is written (in a pipe they are thinned to one per interval).
        { log: (l) => stdout.push(l), error: (l) => stderr.push(l), progress: { isTTY: true, write: (s) => progress.push(s) } },
        plan,
    );
    return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n"), progress: progress.join("") };
}
const neverPlans: Planner = () => Promise.reject(new Error("the planner must not run for this outcome"));

describe("npm run plan exit codes, in process (tools/plan.ts runPlanCli)", function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ciplatform-plan-codes-"));

    it("0: a clean plan; the tree, warnings, outputs, summary, and the plan file without the engine's log", async () => {
        const file = path.join(dir, "clean.plan.json");
        let asked: PlanOptions | undefined;
        const r = await run(["--stack", "staging", "--json", file], async (options) => {
            asked = options;
            for (const p of [
                { phase: "program" },
                { phase: "reference", stack: "org/foundation/account", kept: true },
                { phase: "reference", stack: "org/foundation/account", kept: false },
                { phase: "register", stack: "org/ciplatform/staging", registered: 3, type: "aws:sqs/queue:Queue" },
                { phase: "policy", analysed: 1, total: 1 },
            ] as const) {
                options.onProgress?.(p);
            }
            return planned(options, []);
        });
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(
            [asked?.project, asked?.stack, asked?.newStack, asked?.policyConfig],
            ["platform", "staging", undefined, undefined],
        );
        assert.match(r.stdout, /^Offline preview of stack "staging" \(project ciplatform\) with realistic outputs: /);
        assert.match(r.stdout, /^warning: a warning from the program$/m);
        assert.match(r.stdout, /queueUrl/);
        assert.match(r.stdout, /aws:sqs\/queue:Queue.*jobs/, "the resource tree");
        assert.ok(!r.stdout.includes("an info line"), "only warnings of the engine's log are shown");
        assert.match(r.stdout, /^Summary: 1 resources in 1 types, 0 mandatory, 0 advisory violation\(s\)\.$/m);
        assert.match(r.stdout, /\n\nSummary: /, "a blank line sets the summary apart");
        assert.match(r.stdout, new RegExp(`^Wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
        for (const phase of [
            "Planning stack staging (project platform): checking config",
            "running the program under Pulumi's loader",
            "reading the outputs of org/foundation/account (StackReference; kept",
            "planning org/foundation/account to answer its StackReference",
            "ciplatform/staging: 3 resources registered (aws:sqs/queue:Queue)",
            "policy pack: 1/1 analysed",
        ]) {
            assert.ok(r.progress.includes(phase), `${phase}\n${r.progress}`);
        }
        assert.ok(!r.progress.includes("org/ciplatform/staging:"), "the stack is named without its organisation");
        assert.ok(r.progress.endsWith("\r\u001b[2K"), "the progress line is cleared before the report");
        const text = fs.readFileSync(file, "utf8");
        assert.ok(text.endsWith("}\n"), "the plan file ends with a newline");
        const written = JSON.parse(text) as Planned;
        assert.equal(written.logs, undefined, "the engine's log is left out of the plan file");
        assert.deepEqual(written.resources[0].dependsOn, ["urn:pulumi:dev::ciplatform::aws:kms/key:Key::k"], "dependency edges are kept");
        assert.deepEqual(written.summary, { resources: 1, byType: { "aws:sqs/queue:Queue": 1 }, mandatory: 0, advisory: 0 });
    });

    it("0: advisory findings only; the foundation's default stack is account; --new-stack is passed on", async () => {
        let asked: PlanOptions | undefined;
        const r = await run(["--project", "foundation", "--new-stack"], async (options) => {
            asked = options;
            return planned(options, [finding("advisory")]);
        });
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual([asked?.project, asked?.stack, asked?.newStack], ["foundation", "account", true]);
        assert.match(r.stdout, /as a new stack \(computed outputs unknown\)/);
        assert.match(r.stdout, /^Summary: 1 resources in 1 types, 0 mandatory, 1 advisory violation\(s\)\.$/m);
    });

    it("0: the policy pack's progress: every count on a terminal; in a pipe's log the first and the last count", async () => {
        const counts = [1, 2, 3].map((analysed) => ({ phase: "policy", analysed, total: 3 }) as const);
        const planner: Planner = async (options) => {
            counts.forEach((p) => options.onProgress?.(p));
            return planned(options, []);
        };
        const terminal = await run([], planner);
        assert.equal(terminal.code, 0, terminal.stderr);
        for (const n of [1, 2, 3]) {
            assert.ok(terminal.progress.includes(`policy pack: ${n}/3 analysed`), terminal.progress);
        }
        // In a pipe a count within a phase is written at most every two seconds; the three counts here come at once.
        const piped: string[] = [];
        const code = await runPlanCli(
            [],
            { log: () => undefined, error: () => undefined, progress: { write: (s) => piped.push(s) } },
            planner,
        );
        assert.equal(code, 0);
        const lines = piped.join("").split("\n");
        assert.ok(
            lines.some((l) => l.endsWith("policy pack: 1/3 analysed")),
            lines.join("\n"),
        );
        assert.ok(!lines.some((l) => l.endsWith("policy pack: 2/3 analysed")), lines.join("\n"));
        assert.ok(
            lines.some((l) => l.endsWith("policy pack: 3/3 analysed")),
            lines.join("\n"),
        );
    });

    it("0: the platform's default stack is dev", async () => {
        let asked: PlanOptions | undefined;
        const r = await run([], async (options) => {
            asked = options;
            return planned(options, []);
        });
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual([asked?.project, asked?.stack], ["platform", "dev"]);
    });

    it("0: --help, without planning", async () => {
        const r = await run(["--help"], neverPlans);
        assert.equal(r.code, 0);
        assert.match(r.stdout, /npm run plan --/);
        assert.match(r.stdout, /2 {2}bad config, usage, or a program that fails under the loader/);
    });

    it("1: a mandatory finding, and the plan file is still written with it", async () => {
        const file = path.join(dir, "mandatory.plan.json");
        const config = path.join(dir, "pc.json");
        fs.writeFileSync(config, JSON.stringify({ "*": { orgTagKeys: ["owner"] } }));
        let asked: PlanOptions | undefined;
        const r = await run(["--json", file, "--policy-config", config], async (options) => {
            asked = options;
            return planned(options, [finding("mandatory"), finding("advisory")]);
        });
        assert.equal(r.code, 1, r.stderr);
        assert.deepEqual(asked?.policyConfig, { "*": { orgTagKeys: ["owner"] } });
        assert.match(r.stdout, /^Summary: 1 resources in 1 types, 1 mandatory, 1 advisory violation\(s\)\.$/m);
        // Findings are grouped under their rule's description, which the policy host reports.
        assert.ok(r.stdout.includes("Every taggable AWS resource carries the organisation's tags in its own tags input."), r.stdout);
        const written = JSON.parse(fs.readFileSync(file, "utf8")) as Planned;
        assert.deepEqual(
            written.policy.violations.map((v) => v.enforcementLevel),
            ["mandatory", "advisory"],
        );
    });

    it("2: bad usage and an unreadable policy config, without planning", async () => {
        const unknown = await run(["--nope"], neverPlans);
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /\(npm run plan -- --help for every option\)$/);
        const missing = path.join(dir, "missing.json");
        const config = await run(["--policy-config", missing], neverPlans);
        assert.equal(config.code, 2);
        assert.match(config.stderr, /^--policy-config .*missing\.json: ENOENT/);
        assert.ok(config.progress.endsWith("\r\u001b[2K"), "the progress line is cleared before the error");
        const broken = path.join(dir, "broken.json");
        fs.writeFileSync(broken, "{");
        assert.equal((await run(["--policy-config", broken], neverPlans)).code, 2);
    });

    it("2: each error the planner raises (config, program, policy host, refused policy config, usage, anything else), with its message", async () => {
        const pc = path.join(dir, "pc-ok.json");
        fs.writeFileSync(pc, "{}");
        const cases: Array<[Error, RegExp]> = [
            [new PlanUsageError("Pulumi.nope.yaml: no such stack"), /^Pulumi\.nope\.yaml: no such stack$/],
            [new ProgramError("the program failed: ConfigError", [], ""), /^the program failed: ConfigError$/],
            [new PolicyHostError("the policy host did not start"), /^the policy host did not start$/],
            [new PolicyConfigError("orgTagKeys: must be array"), /^--policy-config .*pc-ok\.json: orgTagKeys: must be array$/],
            [new UsageError("--project: no such project"), /^--project: no such project$/],
            [new TypeError("boom"), /^TypeError: boom\n\s+at /],
        ];
        for (const [error, message] of cases) {
            const r = await run(["--policy-config", pc].slice(error instanceof PolicyConfigError ? 0 : 2), () => Promise.reject(error));
            assert.equal(r.code, 2, error.message);
            assert.ok(r.progress.endsWith("\r\u001b[2K"), "the progress line is cleared before the error");
            assert.match(r.stderr, message);
        }
        // Without --policy-config the planner names the platform's file itself: nothing is put before its message.
        const refused = await run([], () => Promise.reject(new PolicyConfigError("policy-config.json: orgTagKeys: must be array")));
        assert.equal(refused.stderr, "policy-config.json: orgTagKeys: must be array");
        const thrown = await run([], () => Promise.reject("a string"));
        assert.equal(thrown.code, 2);
        assert.equal(thrown.stderr, "a string");
    });
});
