import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../helpers/cli";

const ORG_TAGS = { environment: "dev", owner: "team", "cost-center": "cc-1", "managed-by": "pulumi" };

describe("npm run policy", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ciplatform-policy-"));
    const write = (name: string, body: unknown): string => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, JSON.stringify(body));
        return file;
    };

    it("flags a hand-written resource without the org tags and exits 1", () => {
        const file = write("untagged.json", [
            { type: "aws:sqs/queue:Queue", name: "jobs", inputs: { sqsManagedSseEnabled: true, tags: { owner: "team" } } },
        ]);
        const result = runCli("policy", [file, "--json"]);
        assert.equal(result.status, 1, result.stderr);
        const report = JSON.parse(result.stdout) as {
            policy: { violations: Array<Record<string, string>> };
            summary: Record<string, number>;
        };
        assert.deepEqual(report.policy.violations, [
            {
                policy: "aws-resource-require-org-tags",
                enforcementLevel: "mandatory",
                urn: "urn:pulumi:policy::input::aws:sqs/queue:Queue::jobs",
                message:
                    'aws:sqs/queue:Queue "jobs" is missing org tags "environment", "cost-center", "managed-by": set them in its tags input.',
            },
        ]);
        assert.equal(report.summary.mandatory, 1);
    });

    it("passes a tagged resource and exits 0", () => {
        const file = write("tagged.json", [
            { type: "aws:sqs/queue:Queue", name: "jobs", inputs: { sqsManagedSseEnabled: true, tags: ORG_TAGS } },
        ]);
        const result = runCli("policy", [file]);
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.match(result.stdout, /Policy: no violations\./);
    });

    it("honours policy config: a downgraded rule reports advisory and exits 0", () => {
        const file = write("untagged2.json", [{ type: "aws:sqs/queue:Queue", name: "jobs", inputs: { sqsManagedSseEnabled: true } }]);
        const config = write("config.json", { "aws-resource-require-org-tags": { enforcementLevel: "advisory", orgTagKeys: ["owner"] } });
        const result = runCli("policy", [file, "--policy-config", config]);
        assert.equal(result.status, 0, result.stderr);
        assert.match(
            result.stdout,
            /\[advisory\] aws-resource-require-org-tags: aws:sqs\/queue:Queue "jobs" is missing org tags "owner": set them/,
        );
    });

    it('names a resource whose type no rule knows, and a misspelt type token, as "not checked by any rule", with a types summary', () => {
        const file = write("unchecked.json", [
            { type: "aws:sqs/queue:Queue", name: "jobs", inputs: { sqsManagedSseEnabled: true, tags: ORG_TAGS } },
            { type: "aws:s3/BucketV2:BucketV2", name: "typo", inputs: { acl: "public-read" } },
            { type: "random:index/randomPet:RandomPet", name: "pet", inputs: {} },
        ]);
        const result = runCli("policy", [file]);
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.match(
            result.stdout,
            /\[not checked\] aws:s3\/BucketV2:BucketV2 "typo": not checked by any rule \(unknown type token; did you mean aws:s3\/bucketV2:BucketV2\?\)/,
        );
        assert.match(result.stdout, /\[not checked\] random:index\/randomPet:RandomPet "pet": not checked by any rule\n/);
        assert.doesNotMatch(result.stdout, /aws:sqs\/queue:Queue "jobs": not checked/);
        assert.match(result.stdout, /Types checked \(1\): aws:sqs\/queue:Queue\n/);
        assert.match(result.stdout, /Types not checked by any rule \(2\): aws:s3\/BucketV2:BucketV2, random:index\/randomPet:RandomPet/);
        const json = JSON.parse(runCli("policy", [file, "--json"]).stdout) as {
            coverage: { checked: Record<string, string[]>; unchecked: Record<string, { didYouMean?: string }> };
        };
        assert.deepEqual(json.coverage.unchecked, {
            "aws:s3/BucketV2:BucketV2": { didYouMean: "aws:s3/bucketV2:BucketV2" },
            "random:index/randomPet:RandomPet": {},
        });
        assert.ok(json.coverage.checked["aws:sqs/queue:Queue"].includes("sqs-queue-require-encryption"));
    });

    for (const [what, config, message] of [
        [
            "an unknown policy name",
            { "sqs-queue-require-encryptoin": { enforcementLevel: "advisory" } },
            /sqs-queue-require-encryptoin: no such policy/,
        ],
        [
            "a wrong enforcement level",
            { "sqs-queue-require-encryption": { enforcementLevel: "strict" } },
            /sqs-queue-require-encryption\.enforcementLevel: "strict" is not a level; use advisory, mandatory, remediate, disabled/,
        ],
        [
            "a malformed exemption (reason too short, name not a string)",
            { "*": { exemptions: [{ resourceName: 7, reason: "legacy" }] } },
            /\*\.exemptions\[0\]\.reason: must NOT have fewer than 10 characters \(got "legacy"\)\n {2}\*\.exemptions\[0\]\.resourceName: must be string \(got 7\)/,
        ],
        [
            "an unknown setting",
            { "sqs-queue-require-encryption": { exemption: [] } },
            /sqs-queue-require-encryption\.exemption: unknown setting/,
        ],
    ] as const) {
        it(`refuses policy config with ${what}: exit 2 naming the key`, () => {
            const file = write("one.json", [
                { type: "aws:sqs/queue:Queue", name: "jobs", inputs: { sqsManagedSseEnabled: true, tags: ORG_TAGS } },
            ]);
            const result = runCli("policy", [file, "--policy-config", write("bad-config.json", config)]);
            assert.equal(result.status, 2, result.stdout + result.stderr);
            assert.match(result.stderr, /--policy-config \S*bad-config\.json: invalid policy config/);
            assert.match(result.stderr, message);
        });
    }

    it("names the config file, not the input, when the policy config is not JSON", () => {
        const file = write("one.json", [
            { type: "aws:sqs/queue:Queue", name: "jobs", inputs: { sqsManagedSseEnabled: true, tags: ORG_TAGS } },
        ]);
        const config = path.join(path.dirname(file), "broken-config.json");
        fs.writeFileSync(config, "{ not json");
        const result = runCli("policy", [file, "--policy-config", config]);
        assert.equal(result.status, 2, result.stdout + result.stderr);
        assert.match(result.stderr, /^--policy-config \S*broken-config\.json: /m);
        assert.doesNotMatch(result.stderr, /one\.json/);
    });

    it("exits 2 with a clear message on malformed input", () => {
        const result = runCli("policy", [write("bad.json", [{ name: "no-type" }])]);
        assert.equal(result.status, 2);
        assert.match(result.stderr, /resource #0: needs string "type" and "name"/);
    });
});
