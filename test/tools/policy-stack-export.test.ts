import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Ajv from "ajv";
import { runCli } from "../helpers/cli";
import { plan, PlanFile } from "../helpers/mocks";
import { SECRET_SIG, SECRET_SIG_KEY, stackExportInputs, stackExportTimes } from "../../tools/policy/stack-export";
import { ASFF_BATCH_LIMIT, asffBatches, findingId, toAsff } from "../../tools/policy/asff";
import { platformExemptions } from "../../tools/offline/analyzer";

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
            FindingProviderFields: {
                type: "object",
                properties: {
                    Severity: { type: "object", properties: { Label: { enum: ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"] } } },
                    Types: { type: "array", maxItems: 50, items: { type: "string" } },
                },
            },
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
    created?: string;
}

/** When the stack (and so every resource, a minute apart) was first added to state in the exports below. */
const STACK_CREATED = "2026-11-01T08:00:00.000Z";
const createdAt = (i: number): string => new Date(Date.parse(STACK_CREATED) + (i + 1) * 60_000).toISOString();

/** `--asff` output: JSON Lines, each line one BatchImportFindings call's array. */
const batchesOf = (stdout: string): Array<Array<Record<string, unknown>>> =>
    stdout
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as Array<Record<string, unknown>>);

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
        {
            urn: stackUrn,
            type: "pulumi:pulumi:Stack",
            custom: false,
            inputs: {},
            outputs: {},
            protect: false,
            dependencies: [],
            created: STACK_CREATED,
        },
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
                created: createdAt(i),
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

    /**
     * What a clean dev stack reports, and only that: the documented default exemptions' advisory
     * reports (docs/policy-pack.md "Platform exemptions", policy-config.json, which `npm run policy` gives by default), one per
     * exempted finding. Listed here by resource and exempted rule, with how many findings each has.
     */
    const DOCUMENTED_ADVISORY = [
        // None for iam-integration: its instance-profile statements name the cluster's path and names, not instance-profile/*.
        // Two: AllowScopedEC2InstanceAccessActions, and AllowScopedEC2InstanceActionsWithTags, whose aws:RequestTag pins nothing
        // on launch-template/* (not in RunInstances' or CreateFleet's launch-template context, Service Authorization Reference).
        "cip-dev-karpenter-controller-node-lifecycle iam-policy-restrict-star-resource x2",
        "cip-dev-storage-s3-credentials-value aws-iam-deny-access-key-in-kubernetes x1",
    ];
    type Violation = { policy: string; urn: string; message: string; enforcementLevel: string };
    /** Violations grouped as `<resource> <exempted rule> x<count>`; anything else is listed whole, so it shows in the failure. */
    const grouped = (violations: readonly Violation[]): string[] => {
        const counts = new Map<string, number>();
        for (const v of violations) {
            // Reasons contain parentheses: match the message against each documented exemption's exact prefix.
            const exempted = platformExemptions()
                .flatMap((e) => (e.policies ?? []).map((rule) => ({ rule, prefix: `exempted from ${rule} (${e.reason}): ` })))
                .find((e) => v.message.startsWith(e.prefix));
            const key =
                v.policy === "pack-report-exemptions" && v.enforcementLevel === "advisory" && exempted
                    ? `${v.urn.split("::").pop()} ${exempted.rule}`
                    : `${v.enforcementLevel} ${v.policy} ${v.urn}: ${v.message}`;
            counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        return [...counts].map(([k, n]) => `${k} x${n}`).sort();
    };

    it("finds nothing in a clean deployed stack but the documented default exemptions' advisory reports (listed); --asff: none FAILED", () => {
        const file = write("clean.json", clean);
        const result = runCli("policy", ["--stack-export", file, "--json"]);
        assert.equal(result.status, 0, result.stdout.slice(-3000) + result.stderr);
        const report = JSON.parse(result.stdout) as {
            policy: { violations: Violation[] };
            summary: { mandatory: number; advisory: number; resources: number };
        };
        assert.deepEqual(grouped(report.policy.violations), DOCUMENTED_ADVISORY);
        assert.equal(report.summary.mandatory, 0);
        assert.equal(report.summary.advisory, report.policy.violations.length);
        assert.equal(report.summary.resources, clean.deployment.resources.length - 1);
        const asff = runCli("policy", ["--stack-export", file, "--asff"]);
        assert.equal(asff.status, 0, asff.stderr);
        const batches = batchesOf(asff.stdout);
        assert.equal(batches.length, 1, "fewer than 100 findings: one line, one BatchImportFindings call");
        const ajv = new Ajv({ allErrors: true, strict: false });
        assert.ok(ajv.validate(ASFF_SCHEMA, batches[0]), ajv.errorsText(ajv.errors));
        const findings = batches[0] as Array<{
            GeneratorId: string;
            Severity: { Label: string };
            FindingProviderFields: { Severity: { Label: string } };
            Compliance: { Status: string };
        }>;
        assert.equal(findings.length, report.policy.violations.length);
        // Accepted, documented exceptions: visible in Security Hub, never open as failed (an older MEDIUM/FAILED import of
        // the same id is updated to this, the severity through FindingProviderFields).
        assert.deepEqual(
            [
                ...new Set(
                    findings.map(
                        (f) => `${f.GeneratorId} ${f.Severity.Label} ${f.FindingProviderFields.Severity.Label} ${f.Compliance.Status}`,
                    ),
                ),
            ],
            ["ciplatform-policy-pack/pack-report-exemptions INFORMATIONAL INFORMATIONAL PASSED"],
        );
        assert.equal(findings.filter((f) => f.Compliance.Status === "FAILED").length, 0);
    });

    it("the clean-stack check fails on any other finding: an advisory of another rule, or an exemption not among the documented ones", () => {
        const urn = "urn:pulumi:dev::ciplatform::aws:sqs/queue:Queue::q";
        assert.notDeepEqual(grouped([{ policy: "sqs-queue-require-encryption", urn, message: "m", enforcementLevel: "advisory" }]), []);
        const unreviewed = {
            policy: "pack-report-exemptions",
            urn,
            message: "exempted from x-rule (some reason here): m",
            enforcementLevel: "advisory",
        };
        assert.deepEqual(grouped([unreviewed]), [`advisory pack-report-exemptions ${urn}: ${unreviewed.message} x1`]);
    });

    it("finds a violation injected into the deployed state (rotation turned off out of band) and prints it as importable ASFF", () => {
        const drifted = structuredClone(clean);
        const k = keyIndex();
        drifted.deployment.resources[k].outputs.enableKeyRotation = false;
        const file = write("drifted.json", drifted);
        const result = runCli("policy", ["--stack-export", file, "--asff"]);
        assert.equal(result.status, 1, result.stderr);
        const findings = batchesOf(result.stdout).flat();
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
            CreatedAt: string;
            UpdatedAt: string;
            Compliance: { Status: string };
            Severity: { Label: string };
            FindingProviderFields: { Severity: { Label: string } };
            Resources: Array<{ Id: string; Type: string; Region: string }>;
        };
        assert.match(finding.GeneratorId, /^ciplatform-policy-pack\/kms-key-require-rotation/);
        assert.equal(finding.AwsAccountId, "123456789012");
        assert.equal(finding.Severity.Label, "HIGH");
        assert.equal(finding.FindingProviderFields.Severity.Label, "HIGH");
        assert.equal(finding.Compliance.Status, "FAILED");
        // CreatedAt: when the resource entered state (the export's `created`), not when the audit ran.
        assert.equal(finding.CreatedAt, drifted.deployment.resources[k].created);
        assert.ok(Date.parse(finding.UpdatedAt) > Date.parse(finding.CreatedAt));
        assert.equal(finding.Resources[0].Type, "AwsKmsKey");
        assert.match(finding.Resources[0].Id, /^arn:aws:kms:eu-west-1:123456789012:key\//);
        assert.equal(finding.Resources[0].Region, "eu-west-1");
        // One finding per violation, ids stable across runs (a re-import updates instead of duplicating).
        assert.equal(new Set(findings.map((f) => f.Id)).size, findings.length);
        const again = batchesOf(runCli("policy", ["--stack-export", file, "--asff"]).stdout).flat() as Array<{
            Id: string;
            CreatedAt: string;
        }>;
        assert.deepEqual(
            again.map((f) => f.Id),
            findings.map((f) => f.Id),
        );
        assert.deepEqual(
            again.map((f) => f.CreatedAt),
            findings.map((f) => f.CreatedAt),
            "a re-run keeps every CreatedAt",
        );
        assert.equal(finding.Id, findingId("ciplatform/dev", finding.GeneratorId.split("/")[1], urn, finding.Description));
    });

    it("gives each violation its own stable ASFF id: the same on a re-run, different per resource and per rule", () => {
        const drifted = structuredClone(clean);
        const keys = drifted.deployment.resources.filter((r) => r.type === "aws:kms/key:Key");
        assert.ok(keys.length >= 2, "the dev stack has several keys");
        const [first, second] = keys;
        // The same rule on two resources; a second rule on the first resource (a key policy open to everyone).
        first.outputs.enableKeyRotation = false;
        second.outputs.enableKeyRotation = false;
        first.outputs.policy = JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" }],
        });
        const file = write("two-keys.json", drifted);
        const run = () => {
            const result = runCli("policy", ["--stack-export", file, "--asff"]);
            assert.equal(result.status, 1, result.stderr);
            return (
                batchesOf(result.stdout).flat() as Array<{
                    Id: string;
                    GeneratorId: string;
                    Resources: Array<{ Details: { Other: { pulumiUrn: string } } }>;
                }>
            )
                .filter((f) => !f.GeneratorId.endsWith("/pack-report-exemptions"))
                .map((f) => ({ id: f.Id, rule: f.GeneratorId.split("/")[1], urn: f.Resources[0].Details.Other.pulumiUrn }));
        };
        const findings = run();
        const rotation = "kms-key-require-rotation-and-safe-deletion";
        const publicPolicy = "kms-secretsmanager-deny-public-policy";
        const idOf = (rule: string, urn: string) => findings.filter((f) => f.rule === rule && f.urn === urn).map((f) => f.id);
        const [rotationFirst, rotationSecond, publicFirst] = [
            idOf(rotation, first.urn),
            idOf(rotation, second.urn),
            idOf(publicPolicy, first.urn),
        ];
        assert.deepEqual([rotationFirst.length, rotationSecond.length, publicFirst.length], [1, 1, 1], JSON.stringify(findings));
        assert.equal(new Set([rotationFirst[0], rotationSecond[0], publicFirst[0]]).size, 3, "different per resource and per rule");
        assert.equal(new Set(findings.map((f) => f.id)).size, findings.length, "no two findings share an id");
        assert.deepEqual(
            run().map((f) => f.id),
            findings.map((f) => f.id),
            "a re-run gives the same ids, in the same order",
        );
    });

    it("splits more than 100 findings into lines of at most 100 (one BatchImportFindings call each), none lost or repeated", () => {
        const many = structuredClone(clean);
        const key = many.deployment.resources[keyIndex()];
        // 130 keys with rotation off, each its own resource (and so its own finding).
        for (let i = 0; i < 130; i++) {
            many.deployment.resources.push({
                ...structuredClone(key),
                urn: `${key.urn}-copy${i}`,
                outputs: { ...key.outputs, enableKeyRotation: false },
            });
        }
        const file = write("many.json", many);
        const report = runCli("policy", ["--stack-export", file, "--json"]);
        const violations = (JSON.parse(report.stdout) as { policy: { violations: Violation[] } }).policy.violations;
        assert.ok(violations.length > 130, String(violations.length));
        const result = runCli("policy", ["--stack-export", file, "--asff"]);
        assert.equal(result.status, 1, result.stderr);
        const batches = batchesOf(result.stdout);
        assert.equal(batches.length, Math.ceil(violations.length / ASFF_BATCH_LIMIT));
        const ajv = new Ajv({ allErrors: true, strict: false });
        for (const batch of batches) {
            assert.ok(batch.length >= 1 && batch.length <= 100, String(batch.length));
            assert.ok(ajv.validate(ASFF_SCHEMA, batch), ajv.errorsText(ajv.errors));
        }
        const ids = batches.flat().map((f) => f.Id);
        assert.equal(ids.length, violations.length);
        assert.equal(new Set(ids).size, ids.length);
    });

    it("batches: at most the size asked, never more than BatchImportFindings takes, one empty array for no findings", () => {
        const finding = (i: number) => ({ Id: `f${i}` }) as unknown as ReturnType<typeof toAsff>[number];
        const of = (n: number, size?: number) =>
            asffBatches(
                Array.from({ length: n }, (_, i) => finding(i)),
                size,
            ).map((l) => JSON.parse(l) as unknown[]);
        assert.deepEqual(of(0), [[]]);
        assert.deepEqual(
            of(100).map((b) => b.length),
            [100],
        );
        assert.deepEqual(
            of(101).map((b) => b.length),
            [100, 1],
        );
        assert.deepEqual(
            of(250).map((b) => b.length),
            [100, 100, 50],
        );
        assert.deepEqual(
            of(5, 2).map((b) => b.length),
            [2, 2, 1],
        );
        assert.throws(() => of(1, 101), /1 to 100 findings per call/);
        assert.throws(() => of(1, 0), /1 to 100 findings per call/);
    });

    it("CreatedAt: the resource's creation in state, else the stack's, else the earliest, else the last update, else the run", () => {
        const urn = "urn:pulumi:dev::ciplatform::aws:sqs/queue:Queue::q";
        const other = "urn:pulumi:dev::ciplatform::aws:sqs/queue:Queue::r";
        const stackUrn = "urn:pulumi:dev::ciplatform::pulumi:pulumi:Stack::ciplatform-dev";
        const exported = (resources: Array<Record<string, unknown>>, manifest?: Record<string, unknown>) => ({
            version: 3,
            deployment: { ...(manifest ? { manifest } : {}), resources },
        });
        const createdOf = (document: unknown) => {
            const times = stackExportTimes(document);
            const violation = { policy: "sqs-queue-require-encryption", urn, message: "m", enforcementLevel: "mandatory" as const };
            const ctx = {
                accountId: "123456789012",
                region: "eu-west-1",
                stack: "ciplatform/dev",
                pack: "ciplatform",
                now: "2026-12-06T10:00:00.000Z",
            };
            return toAsff([violation], [], { ...ctx, times })[0].CreatedAt;
        };
        const q = { urn, type: "aws:sqs/queue:Queue" };
        const r = { urn: other, type: "aws:sqs/queue:Queue" };
        const stack = { urn: stackUrn, type: "pulumi:pulumi:Stack" };
        // Pulumi writes RFC 3339 with nanoseconds and offsets: normalised to ISO 8601 UTC.
        assert.equal(
            createdOf(
                exported([
                    { ...stack, created: STACK_CREATED },
                    { ...q, created: "2026-11-02T09:30:00.123456789+01:00" },
                ]),
            ),
            "2026-11-02T08:30:00.123Z",
        );
        assert.equal(
            createdOf(exported([{ ...r, created: "2026-11-03T00:00:00Z" }, { ...stack, created: STACK_CREATED }, q])),
            STACK_CREATED,
        );
        assert.equal(
            createdOf(
                exported([{ ...r, created: "2026-11-05T00:00:00Z" }, { ...r, urn: `${other}2`, created: "2026-11-04T00:00:00Z" }, q]),
            ),
            "2026-11-04T00:00:00.000Z",
        );
        assert.equal(createdOf(exported([q], { time: "2026-11-20T12:00:00Z" })), "2026-11-20T12:00:00.000Z");
        assert.equal(createdOf(exported([q])), "2026-12-06T10:00:00.000Z");
        // A replacement pending deletion shares the URN: the live resource's time counts.
        assert.equal(
            createdOf(
                exported([
                    { ...q, created: "2026-11-09T00:00:00Z" },
                    { ...q, created: "2026-10-01T00:00:00Z", delete: true },
                ]),
            ),
            "2026-11-09T00:00:00.000Z",
        );
        assert.throws(() => stackExportTimes(exported([{ ...q, created: "2026" }])), /expected an RFC 3339 time \(got "2026"\)/);
        assert.throws(
            () => stackExportTimes(exported([{ ...q, created: "yesterday" }])),
            /deployment\.resources\[0\] \(urn:pulumi:dev::ciplatform::aws:sqs\/queue:Queue::q\): "created": expected an RFC 3339 time \(got "yesterday"\)/,
        );
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
