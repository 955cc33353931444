/**
 * Policy violations as AWS Security Finding Format (ASFF) findings, a JSON array that
 * `aws securityhub batch-import-findings --findings file://…` accepts: one finding per violation,
 * imported as the account's own product (`product/<account>/default`). The `Id` is a hash of the
 * stack, the policy and the resource, so a re-run updates the same finding instead of adding one;
 * `UpdatedAt` moves on every run. Sources: AWS Security Hub user guide, "AWS Security Finding
 * Format (ASFF)" (required top-level attributes: AwsAccountId, CreatedAt, Description,
 * GeneratorId, Id, ProductArn, Resources, SchemaVersion, Severity, Title, Types, UpdatedAt) and
 * "Resources" (Id, Type required; Partition, Region); BatchImportFindings API reference (at most
 * 100 findings per call, 512-character Id; a provider updates Severity and Types of a finding it
 * created through FindingProviderFields, not the top-level fields).
 *
 * The pack's exemption reports (`pack-report-exemptions`: a finding a reviewed, documented exemption
 * accepts) are INFORMATIONAL and PASSED, so a clean stack yields no FAILED finding; they keep their
 * ids, so a re-import turns a finding an older audit imported as MEDIUM/FAILED into them (through
 * FindingProviderFields for the severity). `CreatedAt` is the resource's first
 * appearance in state (`created` of the checkpoint), stable across runs; Security Hub documents no
 * rule that keeps the first import's CreatedAt on an update, so it is never taken from the run's clock
 * while the export has a stable time.
 */
import { createHash } from "node:crypto";
import type { AnalyzerInput, Violation } from "../offline/analyzer";
import { EXEMPTIONS_REPORT_POLICY } from "../../policypack/exemptions";
import type { StackExportTimes } from "./stack-export";

export const ASFF_SCHEMA_VERSION = "2018-10-08";
/** Where pack findings sit in Security Hub's type taxonomy (namespace/category/classifier). */
export const ASFF_TYPE = "Software and Configuration Checks/Industry and Regulatory Standards/ciplatform policy pack";

/** BatchImportFindings accepts at most this many findings per call. */
export const ASFF_BATCH_LIMIT = 100;

type SeverityLabel = "INFORMATIONAL" | "LOW" | "MEDIUM" | "HIGH" | "CRITICAL";

/** An ASFF finding, as much of the format as the pack's findings fill. */
export interface AsffFinding {
    readonly SchemaVersion: string;
    readonly Id: string;
    readonly ProductArn: string;
    readonly GeneratorId: string;
    readonly AwsAccountId: string;
    readonly Types: string[];
    readonly CreatedAt: string;
    readonly UpdatedAt: string;
    readonly Severity: { readonly Label: SeverityLabel };
    /** The provider's own severity and types: what an update of an existing finding changes (BatchImportFindings reference). */
    readonly FindingProviderFields: { readonly Severity: { readonly Label: SeverityLabel }; readonly Types: string[] };
    readonly Title: string;
    readonly Description: string;
    readonly Resources: Array<{
        readonly Type: string;
        readonly Id: string;
        readonly Partition: "aws";
        readonly Region: string;
        readonly Details: { readonly Other: Record<string, string> };
    }>;
    readonly Compliance: { readonly Status: "FAILED" | "PASSED" };
    readonly RecordState: "ACTIVE";
    readonly ProductFields: Record<string, string>;
}

/** ASFF resource types of the Pulumi types whose findings name an AWS resource Security Hub knows. */
const RESOURCE_TYPES: Readonly<Record<string, string>> = {
    "aws:iam/role:Role": "AwsIamRole",
    "aws:iam/user:User": "AwsIamUser",
    "aws:iam/policy:Policy": "AwsIamPolicy",
    "aws:kms/key:Key": "AwsKmsKey",
    "aws:s3/bucket:Bucket": "AwsS3Bucket",
    "aws:s3/bucketV2:BucketV2": "AwsS3Bucket",
    "aws:ec2/vpc:Vpc": "AwsEc2Vpc",
    "aws:ec2/subnet:Subnet": "AwsEc2Subnet",
    "aws:ec2/securityGroup:SecurityGroup": "AwsEc2SecurityGroup",
    "aws:ec2/launchTemplate:LaunchTemplate": "AwsEc2LaunchTemplate",
    "aws:eks/cluster:Cluster": "AwsEksCluster",
    "aws:ecr/repository:Repository": "AwsEcrRepository",
    "aws:secretsmanager/secret:Secret": "AwsSecretsManagerSecret",
    "aws:sqs/queue:Queue": "AwsSqsQueue",
    "aws:cloudwatch/logGroup:LogGroup": "AwsLogsLogGroup",
};

const MAX = { title: 256, description: 1024, other: 1024 } as const;

function clip(text: string, max: number): string {
    return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export interface AsffContext {
    readonly accountId: string;
    readonly region: string;
    /** `<project>/<stack>`: part of every finding's identity. */
    readonly stack: string;
    readonly pack: string;
    /** When the audit ran (ISO 8601): every finding's UpdatedAt, and CreatedAt only when the export has no time of its own. */
    readonly now: string;
    /** The export's creation times (tools/policy/stack-export.ts `stackExportTimes`), for stable CreatedAt values. */
    readonly times?: StackExportTimes;
}

/** The stable id of a violation: the same stack, policy, resource and finding give the same id, so a re-import updates it. */
export function findingId(stack: string, policy: string, urn: string, message: string): string {
    // A rule may report several findings on one resource (one per statement, per container): the message tells them apart.
    const digest = createHash("sha256").update(`${stack}\n${policy}\n${urn}\n${message}`).digest("hex").slice(0, 32);
    return `ciplatform/${stack}/${policy}/${digest}`;
}

/** One ASFF finding per violation; the resource is named by its ARN where it has one, else by its URN. */
export function toAsff(violations: readonly Violation[], resources: readonly AnalyzerInput[], ctx: AsffContext): AsffFinding[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    return violations.map((v) => {
        const resource = byUrn.get(v.urn);
        const arn =
            typeof resource?.properties.arn === "string" && resource.properties.arn.startsWith("arn:")
                ? resource.properties.arn
                : undefined;
        const name = resource?.name ?? v.urn.slice(v.urn.lastIndexOf("::") + 2);
        const exempted = v.policy === EXEMPTIONS_REPORT_POLICY;
        const severity: SeverityLabel = exempted ? "INFORMATIONAL" : v.enforcementLevel === "mandatory" ? "HIGH" : "MEDIUM";
        return {
            SchemaVersion: ASFF_SCHEMA_VERSION,
            Id: findingId(ctx.stack, v.policy, v.urn, v.message),
            ProductArn: `arn:aws:securityhub:${ctx.region}:${ctx.accountId}:product/${ctx.accountId}/default`,
            GeneratorId: `ciplatform-policy-pack/${v.policy}`,
            AwsAccountId: ctx.accountId,
            Types: [ASFF_TYPE],
            CreatedAt: ctx.times?.created.get(v.urn) ?? ctx.times?.stack ?? ctx.now,
            UpdatedAt: ctx.now,
            Severity: { Label: severity },
            FindingProviderFields: { Severity: { Label: severity }, Types: [ASFF_TYPE] },
            Title: clip(`${v.policy}: ${name}`, MAX.title),
            Description: clip(v.message, MAX.description),
            Resources: [
                {
                    Type: (resource && RESOURCE_TYPES[resource.type]) ?? "Other",
                    Id: arn ?? v.urn,
                    Partition: "aws",
                    Region: ctx.region,
                    Details: {
                        Other: {
                            pulumiUrn: clip(v.urn, MAX.other),
                            pulumiType: resource?.type ?? "unknown",
                            stack: ctx.stack,
                        },
                    },
                },
            ],
            Compliance: { Status: exempted ? "PASSED" : "FAILED" },
            RecordState: "ACTIVE",
            ProductFields: {
                "ciplatform/pack": ctx.pack,
                "ciplatform/policy": v.policy,
                "ciplatform/enforcementLevel": v.enforcementLevel,
            },
        };
    });
}

/**
 * The findings as lines of JSON, each an array of at most `size` findings (one BatchImportFindings call each);
 * no findings give one empty array, so the output is always JSON Lines of arrays.
 */
export function asffBatches(findings: readonly AsffFinding[], size: number = ASFF_BATCH_LIMIT): string[] {
    if (!Number.isInteger(size) || size < 1 || size > ASFF_BATCH_LIMIT) {
        throw new RangeError(`batch size ${size}: BatchImportFindings takes 1 to ${ASFF_BATCH_LIMIT} findings per call`);
    }
    const lines: string[] = [];
    for (let at = 0; at < findings.length; at += size) lines.push(JSON.stringify(findings.slice(at, at + size)));
    return lines.length > 0 ? lines : ["[]"];
}

/** The account and region of a deployed stack, read from its AWS provider and its resources' ARNs. */
export function accountAndRegionOf(resources: readonly AnalyzerInput[]): { accountId?: string; region?: string } {
    const provider = resources.find((r) => r.type === "pulumi:providers:aws");
    const region = typeof provider?.properties.region === "string" ? provider.properties.region : undefined;
    for (const r of resources) {
        const m = typeof r.properties.arn === "string" ? /^arn:aws[a-z-]*:[^:]+:([a-z0-9-]*):(\d{12}):/.exec(r.properties.arn) : null;
        if (m) return { accountId: m[2], region: region ?? (m[1] || undefined) };
    }
    return { region };
}
