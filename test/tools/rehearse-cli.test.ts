import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../helpers/cli";
import { renderHelp } from "../../tools/cli/args";
import { REHEARSE_CLI } from "../../tools/rehearse";
import type { RehearsalReport } from "../../tools/rehearse/run";

const FIXTURES = path.join(__dirname, "..", "fixtures", "rehearse");

describe("npm run rehearse (tools/rehearse.ts)", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rehearse-cli-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("--help is the shared CLI spec's (tools/cli/args.ts): every option with an example, exit 0", () => {
        const result = runCli("rehearse", ["--help"]);
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout.trimEnd(), renderHelp(REHEARSE_CLI));
        for (const option of ["--stack <name>", "--project <name>", "<plan.json>", "--json <file>", "--help"])
            assert.ok(result.stdout.includes(option), option);
        for (const name of Object.keys(REHEARSE_CLI.options))
            assert.ok(
                REHEARSE_CLI.examples.some((e) => e.includes(`--${name}`)),
                `an example uses --${name}`,
            );
        assert.match(result.stdout, /Examples:\n {2}npm run rehearse -- --stack dev/);
    });

    it("exit 1 on a plan a step of which would fail: create #, resource, check, why, source, summary; --json writes the report", () => {
        const json = path.join(tmp, "report.json");
        const result = runCli("rehearse", [path.join(FIXTURES, "existence-access-entry-before-cluster.json"), "--json", json]);
        assert.equal(result.status, 1, result.stderr + result.stdout);
        assert.match(
            result.stdout,
            /create #\d+ {2}aws:eks\/accessEntry:AccessEntry "cip-dev-karpenter-node"\n {2}check: {2}existence\n {2}why: {4}.+\n {2}source: https:\/\/docs\.aws\.amazon\.com\/eks\//,
        );
        assert.match(result.stdout, /Summary: 1 resource\(s\) would fail/);
        const report = JSON.parse(fs.readFileSync(json, "utf8")) as RehearsalReport;
        assert.equal(report.failures.length, 1);
        assert.equal(report.failures[0].check, "existence");
        assert.ok(report.checks.length >= 4);
    });

    it("exit 0 on a clean plan", () => {
        const result = runCli("rehearse", [path.join(FIXTURES, "existence-access-entry-after-cluster.json")]);
        assert.equal(result.status, 0, result.stderr + result.stdout);
        assert.match(result.stdout, /Summary: clean/);
    });

    it("exit 2 on bad usage: nothing to rehearse, both a file and --stack, --project with a file, an unknown option, an unknown stack", () => {
        const file = path.join(FIXTURES, "existence-access-entry-after-cluster.json");
        for (const args of [[], [file, "--stack", "dev"], [file, "--project", "foundation"], ["--stak", "dev"], ["--stack", "nosuch"]]) {
            const result = runCli("rehearse", args);
            assert.equal(result.status, 2, `${args.join(" ")}: ${result.stdout}${result.stderr}`);
        }
        assert.match(runCli("rehearse", ["--stack", "nosuch"]).stderr, /no stack "nosuch"/);
    });

    it("exit 2 on a plan file it cannot read, naming the file and the field", () => {
        const bad = path.join(tmp, "bad.json");
        fs.writeFileSync(bad, JSON.stringify({ version: 9, project: "p", stack: "s", resources: [] }));
        const result = runCli("rehearse", [bad]);
        assert.equal(result.status, 2);
        assert.match(result.stderr, /bad\.json: "version" is 9; allowed: 1, 2/);
    });
});
