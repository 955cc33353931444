import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Ajv from "ajv";
import { runCli } from "../helpers/cli";
import { plan, PlanFile } from "../helpers/mocks";
import { SECRET_SIG, SECRET_SIG_KEY, stackExportInputs } from "../../tools/policy/stack-export";
import { findingId } from "../../tools/policy/asff";

/**
 * ASFF as BatchImportFindings requires it (AWS Security Hub user guide, "Required top-level
 * attributes in ASFF" and "Resources"; BatchImportFindings API reference): written here from
 * that documentation, with the types and limits it states.
 */
const ISO_8601 = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$";
const ASFF_SCHEMA = {
    type: "array",
    maxItems: 100,
    items: {
        type: "object",
        required: [
            "AwsAccountId",
            "CreatedAt",
            "Description",
            "GeneratorId",
            "Id",
            "ProductArn",
            "Resources",
            "SchemaVersion",
            "Severity",
            "Title",
            "Types",
            "UpdatedAt",
        ],
        properties: {
            SchemaVersion: { const: "2018-10-08" },
            Id: { type: "string", minLength: 1, maxLength: 512 },
            ProductArn: { type: "string", pattern: "^arn:aws:securityhub:[a-z0-9-]+:\\d{12}:product/\\d{12}/default$" },
            GeneratorId: { type: "string", minLength: 1, maxLength: 512 },
            AwsAccountId: { type: "string", pattern: "^\\d{12}$" },
            Types: {
                type: "array",
                minItems: 1,
                maxItems: 50,
                items: {
                    type: "string",
                    pattern:
                        "^(Software and Configuration Checks|TTPs|Effects|Unusual Behaviors|Sensitive Data Identifications)(/[^/]+){0,2}$",
                },
            },
            CreatedAt: { type: "string", pattern: ISO_8601 },
            UpdatedAt: { type: "string", pattern: ISO_8601 },
            Severity: {
                type: "object",
                required: ["Label"],
                properties: { Label: { enum: ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"] } },
            },
            Title: { type: "string", minLength: 1, maxLength: 256 },
            Description: { type: "string", minLength: 1, maxLength: 1024 },
            Resources: {
                type: "array",
                minItems: 1,
                maxItems: 32,
                items: {
                    type: "object",
                    required: ["Id", "Type"],
                    properties: {
                        Id: { type: "string", minLength: 1, maxLength: 512 },
                        Type: { type: "string", minLength: 1, maxLength: 256 },
                        Partition: { enum: ["aws", "aws-cn", "aws-us-gov"] },
                        Region: { type: "string", pattern: "^[a-z]{2}(-[a-z]+)+-\\d$" },
                        Details: {
                            type: "object",
                            properties: {
                                Other: {
                                    type: "object",
                                    maxProperties: 50,
                                    propertyNames: { maxLength: 128 },
                                    additionalProperties: { type: "string", maxLength: 1024 },
                                },
                            },
                        },
                    },
                },
            },
            Compliance: { type: "object", properties: { Status: { enum: ["PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"] } } },
            RecordState: { enum: ["ACTIVE", "ARCHIVED"] },
            ProductFields: { type: "object", maxProperties: 50, additionalProperties: { type: "string" } },
        },
    },
};

interface CheckpointResource {
    urn: string;
    type: string;
    custom: boolean;
    id?: string;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
    parent?: string;
    provider?: string;
    protect: boolean;
    dependencies: string[];
    delete?: boolean;
}

/**
 * A deployed stack in `pulumi stack export` form (version 3), built from a stack's plan: the stack
 * resource, then every planned resource with its inputs, the outputs a deploy would record (the
 * inputs echoed back, plus id and ARN), and its provider reference as `<urn>::<id>`.
 */
function exportOf(planned: PlanFile): {
    version: number;
    deployment: { manifest: Record<string, unknown>; resources: CheckpointResource[] };
} {
    const stackUrn = `urn:pulumi:${planned.stack}::${planned.project}::pulumi:pulumi:Stack::${planned.project}-${planned.stack}`;
    const resources: CheckpointResource[] = [
        { urn: stackUrn, type: "pulumi:pulumi:Stack", custom: false, inputs: {}, outputs: {}, protect: false, dependencies: [] },
        ...planned.resources.map((r, i) => {
            const id = r.custom ? `id-${i}` : undefined;
            return {
                urn: r.urn,
                type: r.type,
                custom: r.custom,
                ...(id ? { id } : {}),
                inputs: r.inputs,
                outputs: {
                    ...r.inputs,
                    ...(id ? { id } : {}),
                    // What the provider records for a key: its ARN (the audit names AWS resources by ARN).
                    ...(r.type === "aws:kms/key:Key"
                        ? { arn: `arn:aws:kms:eu-west-1:123456789012:key/0000000${i}-0000-4000-8000-000000000000` }
                        : {}),
                },
                parent: r.parent ?? stackUrn,
                ...(r.provider ? { provider: `${r.provider}::${r.provider.endsWith("::default") ? "default-id" : "id"}` } : {}),
                protect: r.protect,
                dependencies: [...r.dependsOn],
            };
        }),
    ];
    return { version: 3, deployment: { manifest: { time: "2026-12-01T00:00:00Z", version: "v3.200.0" }, resources } };
}

describe("npm run policy --stack-export (a deployed stack) and --asff", function () {
    this.timeout(600_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ciplatform-export-"));
    const write = (name: string, body: unknown): string => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, JSON.stringify(body));
        return file;
    };
    let clean: ReturnType<typeof exportOf>;
    before(async () => {
        clean = exportOf(await plan({ stack: "dev" }));
    });
    const keyIndex = () => clean.deployment.resources.findIndex((r) => r.type === "aws:kms/key:Key");

    it("reads the checkpoint: outputs over inputs, secrets redacted, the stack and pending deletions left out, providers attached", () => {
        const copy = structuredClone(clean);
        const k = keyIndex();
        copy.deployment.resources[k].outputs.enableKeyRotation = false;
        copy.deployment.resources[k].outputs.policy = { [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: "AAAA" };
        copy.deployment.resources.push({ ...copy.deployment.resources[k], urn: `${copy.deployment.resources[k].urn}-old`, delete: true });
        const inputs = stackExportInputs(copy);
        assert.equal(inputs.length, clean.deployment.resources.length - 1);
        assert.ok(!inputs.some((i) => i.type === "pulumi:pulumi:Stack" || i.urn.endsWith("-old")));
        const key = inputs.find((i) => i.urn === copy.deployment.resources[k].urn);
        assert.equal(key?.properties.enableKeyRotation, false, "outputs (what is deployed) win over inputs");
        assert.equal(key?.properties.policy, "[secret]");
        assert.equal(key?.name, copy.deployment.resources[k].urn.split("::").pop());
        const withProvider = inputs.find((i) => i.type === "aws:eks/cluster:Cluster" || (i.provider && i.type.startsWith("kubernetes:")));
        assert.ok(withProvider?.provider, "a resource's provider travels with it");
        assert.throws(() => stackExportInputs({ version: 2, deployment: {} }), /checkpoint version 2 is not supported/);
        assert.throws(() => stackExportInputs([{ type: "x" }]), /expected the output of `pulumi stack export`/);
    });

    it("finds nothing mandatory in a clean deployed stack", () => {
        const result = runCli("policy", ["--stack-export", write("clean.json", clean), "--json"]);
        assert.equal(result.status, 0, result.stdout.slice(-3000) + result.stderr);
        const report = JSON.parse(result.stdout) as { summary: { mandatory: number; resources: number } };
        assert.equal(report.summary.mandatory, 0);
        assert.equal(report.summary.resources, clean.deployment.resources.length - 1);
    });

    it("finds a violation injected into the deployed state (rotation turned off out of band) and prints it as importable ASFF", () => {
        const drifted = structuredClone(clean);
        const k = keyIndex();
        drifted.deployment.resources[k].outputs.enableKeyRotation = false;
        const file = write("drifted.json", drifted);
        const result = runCli("policy", ["--stack-export", file, "--asff"]);
        assert.equal(result.status, 1, result.stderr);
        const findings = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
        const ajv = new Ajv({ allErrors: true, strict: false });
        assert.ok(ajv.validate(ASFF_SCHEMA, findings), ajv.errorsText(ajv.errors));
        const urn = drifted.deployment.resources[k].urn;
        const mine = findings.filter((f) => JSON.stringify(f.Resources).includes(urn));
        assert.equal(mine.length, 1, JSON.stringify(findings.map((f) => f.Title)));
        const finding = mine[0] as {
            Id: string;
            Description: string;
            GeneratorId: string;
            AwsAccountId: string;
            Severity: { Label: string };
            Resources: Array<{ Id: string; Type: string; Region: string }>;
        };
        assert.match(finding.GeneratorId, /^ciplatform-policy-pack\/kms-key-require-rotation/);
        assert.equal(finding.AwsAccountId, "123456789012");
        assert.equal(finding.Severity.Label, "HIGH");
        assert.equal(finding.Resources[0].Type, "AwsKmsKey");
        assert.match(finding.Resources[0].Id, /^arn:aws:kms:eu-west-1:123456789012:key\//);
        assert.equal(finding.Resources[0].Region, "eu-west-1");
        // One finding per violation, ids stable across runs (a re-import updates instead of duplicating).
        assert.equal(new Set(findings.map((f) => f.Id)).size, findings.length);
        const again = JSON.parse(runCli("policy", ["--stack-export", file, "--asff"]).stdout) as Array<{ Id: string }>;
        assert.deepEqual(
            again.map((f) => f.Id),
            findings.map((f) => f.Id),
        );
        assert.equal(finding.Id, findingId("ciplatform/dev", finding.GeneratorId.split("/")[1], urn, finding.Description));
    });

    it("refuses --asff without a stack export, and an export it cannot place in an account", () => {
        const noExport = runCli("policy", [write("list.json", []), "--asff"]);
        assert.equal(noExport.status, 2);
        assert.match(noExport.stderr, /--asff reports on a deployed stack: give it --stack-export <file>/);
        const bare = {
            version: 3,
            deployment: {
                resources: [{ urn: "urn:pulumi:dev::p::aws:sqs/queue:Queue::q", type: "aws:sqs/queue:Queue", inputs: {}, outputs: {} }],
            },
        };
        const unplaced = runCli("policy", ["--stack-export", write("bare.json", bare), "--asff"]);
        assert.equal(unplaced.status, 2);
        assert.match(unplaced.stderr, /pass --aws-account <12 digits> and --aws-region <region>/);
    });
});
