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

    it("exits 2 with a clear message on malformed input", () => {
        const result = runCli("policy", [write("bad.json", [{ name: "no-type" }])]);
        assert.equal(result.status, 2);
        assert.match(result.stderr, /resource #0: needs string "type" and "name"/);
    });
});
