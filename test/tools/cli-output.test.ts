import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CliSpec, parseCli, renderHelp, UsageError } from "../../tools/cli/args";
import { Progress, renderFindings, renderOutputs, styles, useColour } from "../../tools/cli/output";
import { PLAN_CLI } from "../../tools/plan";
import { RENDER_CLI } from "../../tools/render";
import { BENCH_CLI } from "../../bench/run";
import { POLICY_CLI } from "../../tools/policy";
import { ROOT, runCli } from "../helpers/cli";
import { BOOTSTRAP_CLI } from "../../tools/rehearse/bootstrap";

const ESC = "\u001b[";

describe("CLI output (issue #26: colour, progress, grouped findings, outputs, --help)", () => {
    it("colours a terminal only: never a pipe, never with NO_COLOR or TERM=dumb", () => {
        assert.equal(useColour({ isTTY: true }, {}), true);
        assert.equal(useColour({ isTTY: false }, {}), false);
        assert.equal(useColour({}, {}), false);
        assert.equal(useColour({ isTTY: true }, { NO_COLOR: "1" }), false);
        assert.equal(useColour({ isTTY: true }, { TERM: "dumb" }), false);
        assert.equal(useColour({ isTTY: true }, { NO_COLOR: "" }), true, "an empty NO_COLOR does not count (no-color.org)");
        assert.equal(styles(false).red("x"), "x");
        assert.equal(styles(true).red("x"), `${ESC}31mx${ESC}39m`);
    });

    it("progress: in a pipe, every phase once and counts at most every interval; on a terminal, one line rewritten", () => {
        let t = 0;
        const pipe = {
            text: "",
            write(s: string) {
                this.text += s;
            },
        };
        const p = new Progress(pipe, 2000, () => t);
        p.phase("checking config");
        t = 100;
        p.update("1 registered");
        t = 500;
        p.update("2 registered");
        t = 2600;
        p.update("3 registered");
        p.phase("policy");
        p.done();
        assert.equal(pipe.text, "[0.0s] checking config\n[2.6s] 3 registered\n[2.6s] policy\n");
        const tty = {
            isTTY: true,
            text: "",
            write(s: string) {
                this.text += s;
            },
        };
        const q = new Progress(tty, 2000, () => 0);
        q.phase("a");
        q.update("b");
        q.done();
        assert.equal(tty.text, `\r${ESC}2K[0.0s] a\r${ESC}2K[0.0s] b\r${ESC}2K`);
    });

    it("groups findings by rule, mandatory first, each rule once with its fix and every finding's resource", () => {
        const urn = (n: string) => `urn:pulumi:dev::ciplatform::aws:kms/key:Key::${n}`;
        const text = renderFindings(
            [
                {
                    policy: "cloudwatch-loggroup-require-cmk",
                    enforcementLevel: "advisory",
                    urn: urn("logs"),
                    message: "group logs has no CMK.",
                },
                { policy: "kms-key-require-rotation", enforcementLevel: "mandatory", urn: urn("a"), message: "key a does not rotate." },
                { policy: "kms-key-require-rotation", enforcementLevel: "mandatory", urn: urn("b"), message: "key b does not rotate." },
            ],
            new Map([["kms-key-require-rotation", "Symmetric KMS keys rotate."]]),
            styles(false),
        );
        assert.equal(
            text,
            [
                "Policy: 3 finding(s) from 2 rule(s):",
                "",
                "[mandatory] kms-key-require-rotation (2)",
                "  fix: Symmetric KMS keys rotate.",
                "  - key a does not rotate.  (a)",
                "  - key b does not rotate.  (b)",
                "",
                "[advisory] cloudwatch-loggroup-require-cmk (1)",
                "  - group logs has no CMK.  (logs)",
            ].join("\n"),
        );
        assert.equal(renderFindings([], new Map(), styles(false)), "Policy: no violations.");
    });

    it("shows stack outputs one per line, long or multi-line values shortened to one line", () => {
        assert.equal(
            renderOutputs({ clusterName: "cip-dev", pem: "-----BEGIN-----\nabc\n-----END-----", gone: undefined }, styles(false), 20),
            ["Outputs:", "  clusterName  cip-dev", '  pem          "-----BEGIN-----\\na…'].join("\n"),
        );
    });

    it("--help lists every option the parser accepts, with a default and an example for each option", () => {
        const help = renderHelp(PLAN_CLI);
        for (const [name, option] of Object.entries(PLAN_CLI.options)) {
            assert.match(help, new RegExp(`--${name}${option.arg ? ` ${option.arg.replace(/[|]/g, "\\|")}` : ""}  `), name);
            assert.ok(PLAN_CLI.examples.some((e) => e.includes(`--${name}`)) || name === "project", `an example uses --${name}`);
        }
        assert.match(help, /-h, --help +show this help and exit/);
        assert.match(help, /Exit codes:\n {2}0 {2}clean/);
        const spec: CliSpec = { ...PLAN_CLI, options: { only: { type: "string", description: "x" } } };
        assert.throws(() => parseCli(spec, ["--other"]), UsageError);
        assert.equal(parseCli<{ only?: string }>(spec, ["--only", "v"]).values.only, "v");
    });

    it("render, bench and policy: --help lists every option with an example using it", () => {
        for (const spec of [RENDER_CLI, BENCH_CLI, POLICY_CLI]) {
            const help = renderHelp(spec);
            for (const name of Object.keys(spec.options)) {
                assert.match(help, new RegExp(`--${name}\\b`), `${spec.command} --${name}`);
                assert.ok(
                    spec.examples.some((e) => e.includes(`--${name}`)),
                    `${spec.command}: an example uses --${name}`,
                );
            }
        }
    });

    it("npm run rehearse:bootstrap -- --help prints its help and exits 0 without walking the guide; a bad flag exits 2", () => {
        const run = (args: string[]) =>
            spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", "rehearse", "bootstrap.ts"), ...args], {
                cwd: ROOT,
                encoding: "utf8",
                timeout: 60_000,
            });
        const help = run(["--help"]);
        assert.equal(help.status, 0, help.stderr);
        assert.equal(help.stdout.trimEnd(), renderHelp(BOOTSTRAP_CLI));
        assert.doesNotMatch(help.stdout, /can be done as written\.|cannot be done as written\./, "the guide was not walked");
        const bad = run(["--bogus"]);
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /Unknown option '--bogus'[\s\S]*usage: npm run rehearse:bootstrap --/);
    });

    it("npm run plan -- --help prints that help and exits 0; a bad flag exits 2 with the usage", () => {
        const help = runCli("plan", ["--help"]);
        assert.equal(help.status, 0, help.stderr);
        assert.equal(help.stdout.trimEnd(), renderHelp(PLAN_CLI));
        assert.match(help.stdout, /--stack <name> .*\(default: dev \(account for the foundation\)\)/);
        const bad = runCli("plan", ["--colour"]);
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /Unknown option '--colour'[\s\S]*usage: npm run plan --/);
    });

    it("npm run policy -- --help prints the shared spec's help and exits 0; a bad flag exits 2 with the usage", () => {
        const help = runCli("policy", ["--help"]);
        assert.equal(help.status, 0, help.stderr);
        assert.equal(help.stdout.trimEnd(), renderHelp(POLICY_CLI));
        const bad = runCli("policy", ["--asf"]);
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /Unknown option '--asf'[\s\S]*usage: npm run policy --/);
    });

    it("npm run plan and --project foundation without --stack plan their default stacks (the README's command), not the help's text", () => {
        for (const [argv, stack] of [
            [[], "dev"],
            [["--project", "foundation"], "account"],
        ] as const) {
            const { values } = parseCli<{ stack?: string }>(PLAN_CLI, [...argv]);
            assert.equal(values.stack, undefined, "no stack from the parser: the CLI decides it from --project");
            assert.ok(fs.existsSync(path.join(ROOT, argv.length ? "foundation" : ".", `Pulumi.${stack}.yaml`)), stack);
        }
    });
});
