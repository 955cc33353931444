/**
 * `npm run policy`'s exit code for every outcome its header documents (0 clean, 1 a mandatory
 * violation, 2 bad usage, input or policy config), and what it prints for each, run in this process
 * through `runPolicyCli` (the function the script's main calls) so a broken exit code fails here.
 * The child-process tests in policy.test.ts check the same CLI as a user starts it.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PLATFORM_POLICY_CONFIG_FILE, PolicyConfigError, PolicyHost, PolicyHostError } from "../../tools/offline/analyzer";
import { runPolicyCli } from "../../tools/policy";
import { testPolicyHost } from "../helpers/pack";

const ORG_TAGS = { environment: "dev", owner: "team", "cost-center": "cc-1", "managed-by": "pulumi" };
const queue = (tags: Record<string, string>) => ({
    type: "aws:sqs/queue:Queue",
    name: "jobs",
    inputs: { sqsManagedSseEnabled: true, tags },
});

/** The tests' policy host, shared: the CLI's stop() after each run leaves it running. */
async function sharedHost(): Promise<PolicyHost> {
    const host = await testPolicyHost();
    return Object.assign(Object.create(host) as PolicyHost, { stop: () => undefined });
}

async function run(args: string[], startHost: () => Promise<PolicyHost> = sharedHost) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runPolicyCli(args, startHost, { log: (l) => stdout.push(l), error: (l) => stderr.push(l) });
    return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}

describe("npm run policy exit codes, in process (tools/policy.ts runPolicyCli)", function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ciplatform-policy-codes-"));
    const write = (name: string, body: unknown): string => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, typeof body === "string" ? body : JSON.stringify(body));
        return file;
    };
    const notStarted = () => Promise.reject(new Error("the host must not start for this outcome"));

    it("0: a clean resource list, with a summary naming the checked types", async () => {
        const r = await run([write("clean.json", [queue(ORG_TAGS)])]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /Policy: no violations\./);
        assert.match(r.stdout, /^Summary: 1 resources, 0 mandatory, 0 advisory violation\(s\)\.$/m);
        assert.match(r.stdout, /^Types checked \(1\): aws:sqs\/queue:Queue$/m);
        assert.match(r.stdout, /^Types not checked by any rule \(0\): none$/m);
    });

    it("0: --help prints the usage without starting the host", async () => {
        const r = await run(["--help"], notStarted);
        assert.equal(r.code, 0);
        assert.match(r.stdout, /^usage: npm run policy -- \[<file>\]/m);
        assert.match(r.stdout, /1 {2}a mandatory violation/);
    });

    it("0: a mandatory rule downgraded to advisory by policy config", async () => {
        const config = write("advisory.json", { "aws-resource-require-org-tags": { enforcementLevel: "advisory" } });
        const r = await run([write("untagged-a.json", [queue({ owner: "team" })]), "--policy-config", config]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^Summary: 1 resources, 0 mandatory, 1 advisory violation\(s\)\.$/m);
    });

    it("1: a mandatory violation, in text and in --json; unchecked types are named", async () => {
        const file = write("untagged.json", [queue({ owner: "team" }), { type: "aws:sqs/queueu:Queue", name: "typo", inputs: {} }]);
        const text = await run([file]);
        assert.equal(text.code, 1, text.stderr);
        assert.match(text.stdout, /^Summary: 2 resources, 1 mandatory, 0 advisory violation\(s\)\.$/m);
        assert.match(
            text.stdout,
            /\[not checked\] aws:sqs\/queueu:Queue "typo": not checked by any rule \(unknown type token; did you mean aws:sqs\/queue:Queue\?\)/,
        );
        const json = await run([file, "--json"]);
        assert.equal(json.code, 1, json.stderr);
        const report = JSON.parse(json.stdout) as {
            policy: { pack: string; violations: unknown[] };
            summary: { resources: number; mandatory: number; advisory: number; typesUnchecked: string[] };
        };
        assert.deepEqual([report.policy.pack, report.policy.violations.length], ["ciplatform", 1]);
        assert.deepEqual(
            [report.summary.resources, report.summary.mandatory, report.summary.advisory, report.summary.typesUnchecked],
            [2, 1, 0, ["aws:sqs/queueu:Queue"]],
        );
    });

    it("1: a mandatory violation in a deployed stack (--stack-export), with ASFF output", async () => {
        const exported = write("export.json", {
            version: 3,
            deployment: {
                resources: [
                    { urn: "urn:pulumi:prod::ciplatform::pulumi:pulumi:Stack::ciplatform-prod", type: "pulumi:pulumi:Stack" },
                    {
                        urn: "urn:pulumi:prod::ciplatform::aws:sqs/queue:Queue::jobs",
                        type: "aws:sqs/queue:Queue",
                        inputs: { sqsManagedSseEnabled: true, tags: { owner: "team" } },
                        outputs: { arn: "arn:aws:sqs:eu-west-1:123456789012:jobs" },
                    },
                ],
            },
        });
        const text = await run(["--stack-export", exported]);
        assert.equal(text.code, 1, text.stderr);
        const asff = await run(["--stack-export", exported, "--asff"]);
        assert.equal(asff.code, 1, asff.stderr);
        const findings = JSON.parse(asff.stdout) as Array<{ AwsAccountId: string }>;
        assert.equal(findings.length, 1);
        assert.equal(findings[0].AwsAccountId, "123456789012");
        assert.ok(asff.stdout.includes("ciplatform/prod"), "the findings name the exported project/stack");
        assert.match(asff.stderr, /^Summary: 1 resources, 1 mandatory, 0 advisory violation\(s\)\.$/m);
        const clean = write("export-clean.json", { version: 3, deployment: { resources: [] } });
        const none = await run(["--stack-export", clean, "--asff"]);
        assert.equal(none.code, 2, "no account or region to report findings under");
        assert.match(none.stderr, /the account \(not found\) or region \(not found\) of the findings is not in the export/);
        const given = await run(["--stack-export", clean, "--asff", "--aws-account", "123456789012", "--aws-region", "eu-west-1"]);
        assert.equal(given.code, 0, given.stderr);
        assert.deepEqual(JSON.parse(given.stdout), []);
        for (const account of ["1234", "1234567890123", "x23456789012"]) {
            const badAccount = await run(["--stack-export", clean, "--asff", "--aws-account", account, "--aws-region", "eu-west-1"]);
            assert.equal(badAccount.code, 2, account);
        }
    });

    it("stops the host it started, once, whatever the outcome; lists checked types sorted, or none", async () => {
        let stopped = 0;
        const counting = async (): Promise<PolicyHost> => {
            const host = await testPolicyHost();
            return Object.assign(Object.create(host) as PolicyHost, { stop: () => void stopped++ });
        };
        const two = [
            { type: "aws:sqs/queue:Queue", name: "q", inputs: { sqsManagedSseEnabled: true, tags: ORG_TAGS } },
            { type: "aws:kms/key:Key", name: "k", inputs: { enableKeyRotation: true, tags: ORG_TAGS } },
        ];
        const r = await run([write("two.json", two)], counting);
        assert.match(r.stdout, /^Types checked \(2\): aws:kms\/key:Key, aws:sqs\/queue:Queue$/m);
        const refused = await run(
            [write("two-refused.json", []), "--policy-config", write("bad-level.json", { "*": { enforcementLevel: "sometimes" } })],
            counting,
        );
        assert.equal(refused.code, 2, refused.stdout);
        assert.equal(stopped, 2);
        const unknownOnly = await run([
            write("unknown.json", [
                { type: "example:index:Thing", name: "t", inputs: {} },
                { type: "example:index:Another", name: "a", inputs: {} },
            ]),
        ]);
        assert.equal(unknownOnly.code, 0, unknownOnly.stderr);
        assert.match(unknownOnly.stdout, /^Types checked \(0\): none$/m);
        assert.match(unknownOnly.stdout, /^Types not checked by any rule \(2\): example:index:Another, example:index:Thing$/m);
        assert.match(unknownOnly.stdout, /^ {2}\[not checked\] example:index:Thing "t": not checked by any rule$/m);
    });

    it("2: bad usage (unknown option, no file, two files, a file beside --stack-export, --asff without it), before the host starts", async () => {
        const file = write("usage.json", [queue(ORG_TAGS)]);
        for (const args of [[file, "--nope"], [], [file, file], ["--stack-export", file, file], [file, "--asff"]]) {
            const r = await run(args, notStarted);
            assert.equal(r.code, 2, args.join(" "));
            assert.match(r.stderr, /^usage: npm run policy -- \[<file>\]/m, args.join(" "));
        }
    });

    it("2: input that cannot be read or is not a resource list or stack export, naming the file", async () => {
        const missing = path.join(dir, "missing.json");
        const cases: Array<[string[], RegExp]> = [
            [[missing], /missing\.json: ENOENT/],
            [[write("broken.json", "{ not json")], /broken\.json: .*JSON/],
            [[write("object.json", { resources: 1 })], /object\.json: /],
            [
                ["--stack-export", write("old.json", { version: 2, deployment: { resources: [] } })],
                /old\.json: checkpoint version 2 is not supported/,
            ],
        ];
        for (const [args, message] of cases) {
            const r = await run(args, notStarted);
            assert.equal(r.code, 2, args.join(" "));
            assert.match(r.stderr, message);
        }
    });

    it("2: a policy config file that cannot be read, or that the pack refuses, naming --policy-config", async () => {
        const file = write("config-input.json", [queue(ORG_TAGS)]);
        const unreadable = await run([file, "--policy-config", path.join(dir, "nope.json")], notStarted);
        assert.equal(unreadable.code, 2);
        assert.match(unreadable.stderr, /^--policy-config .*nope\.json: ENOENT/);
        const refused = write("refused.json", { "aws-resource-require-org-tags": { orgTagKeys: "owner" } });
        const r = await run([file, "--policy-config", refused]);
        assert.equal(r.code, 2, r.stdout);
        assert.match(r.stderr, /^--policy-config .*refused\.json: invalid policy config:\n.*orgTagKeys: must be array/);
    });

    it("2: an evaluation the host fails, with its message; a config the pack refuses names the platform's file when none is given", async () => {
        const file = write("analyze.json", [queue(ORG_TAGS)]);
        let stopped = 0;
        const failing = (error: Error) => async () =>
            Object.assign(Object.create(await testPolicyHost()) as PolicyHost, {
                stop: () => void stopped++,
                analyze: () => Promise.reject(error),
            });
        const died = await run([file], failing(new PolicyHostError("the policy host exited")));
        assert.equal(died.code, 2);
        assert.equal(died.stderr, "the policy host exited");
        const refused = await run([file], failing(new PolicyConfigError("invalid policy config: x")));
        assert.equal(refused.code, 2);
        assert.equal(refused.stderr, `${PLATFORM_POLICY_CONFIG_FILE}: invalid policy config: x`);
        assert.equal(stopped, 2, "the host is stopped after a failed evaluation too");
    });

    it("2: a policy host that cannot start; other errors are not swallowed", async () => {
        const file = write("host.json", [queue(ORG_TAGS)]);
        const r = await run([file], () => Promise.reject(new PolicyHostError("the policy host did not start")));
        assert.equal(r.code, 2);
        assert.equal(r.stderr, "the policy host did not start");
        await assert.rejects(
            run([file], () => Promise.reject(new Error("unexpected"))),
            /unexpected/,
        );
        await assert.rejects(run([dir]), /EISDIR/);
    });
});
