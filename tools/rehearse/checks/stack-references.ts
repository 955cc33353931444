/**
 * References across projects and backends. A `StackReference` is read from the backend the CLI is
 * logged into, and only there: a stack in another backend (Pulumi Cloud, another bucket, a local
 * directory) is "not found" (pulumi/pulumi#3395, the maintainers' answer; https://www.pulumi.com/docs/iac/concepts/stacks/#stackreferences).
 * In an S3 (DIY) backend the read is an `s3:GetObject` of the referenced stack's checkpoint
 * `.pulumi/stacks/<project>/<stack>.json` (pulumi/pulumi `pkg/backend/diy/backend.go`, project-scoped
 * layout) by the role that runs this stack, and a `kms:Decrypt` of the bucket key through S3, decided by
 * the rehearsal's IAM evaluator (`tools/rehearse/iam-eval.ts`: identity policies, boundary, bucket and key policy).
 *
 * Where the stacks live, as the project states it: this stack's backend is its project's
 * `backend.url`, else the URL in the referenced stack's `login` output (the foundation tells the
 * platform stacks where to live); the referenced stack's is its project's `backend.url`, else its own
 * `backend` output (a foundation that moved itself into the bucket it created says so). The roles that
 * run this stack are the referenced stack's `deployRoleArns.<this stack>` and `previewRoleArn` outputs.
 */
import type { PlannedResource, ReferencedStack } from "../../offline/plan";
import type { RehearsalCheck, RehearsalContext, RehearsalFinding } from "../model";
import { evaluateIam, type IamPolicies } from "../iam-eval";
import { arnName, identifiersOf, policyDocument } from "../plan-view";

const NAME = "stack-references";
const SOURCE_BACKEND =
    "pulumi/pulumi#3395 (a StackReference resolves only within the backend the CLI is logged into); https://www.pulumi.com/docs/iac/concepts/stacks/#stackreferences";
const SOURCE_READ =
    "pulumi/pulumi pkg/backend/diy/backend.go (checkpoint .pulumi/stacks/<project>/<stack>.json); https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html";

/** The backend URL in a string such as the foundation's `login` output (`pulumi login 's3://…'`). */
export function backendUrlIn(text: unknown): string | undefined {
    if (typeof text !== "string") return undefined;
    return /((?:s3|gs|azblob|file):\/\/[^'"\s]+|https:\/\/(?:api|app)\.pulumi\.com[^'"\s]*)/.exec(text)?.[1];
}

/** A backend's identity: scheme and bucket/host (query parameters such as `region` do not change where state lives). */
function backendId(url: string): string {
    return url.replace(/\?.*$/, "").replace(/\/+$/, "");
}

/** The decision of one read, by the rehearsal's IAM evaluator (identity policies, boundary, the resource's policy). */
function mayCall(
    policies: IamPolicies,
    action: string,
    resource: string,
    principalArn: string,
    context: Record<string, string>,
): { ok: boolean; reason: string } {
    try {
        const { decision, reason } = evaluateIam({ action, resource, principalArn, context }, policies);
        return { ok: decision === "Allowed", reason: `${decision}: ${reason}` };
    } catch (err) {
        return { ok: false, reason: `undecidable (${(err as Error).message})` };
    }
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

/** The identity policies of a role the referenced stack creates (inline and attached) and its boundary. */
function rolePolicies(ref: ReferencedStack, roleArn: string): { found: boolean; identity: unknown[]; boundary?: unknown } {
    const role = ref.resources.find(
        (r) => r.type === "aws:iam/role:Role" && (identifiersOf(r).arn === roleArn || identifiersOf(r).name === arnName(roleArn)),
    );
    if (!role) return { found: false, identity: [] };
    const name = identifiersOf(role).name ?? role.name;
    const docs: unknown[] = [];
    for (const p of Array.isArray(role.inputs.inlinePolicies) ? (role.inputs.inlinePolicies as Array<{ policy?: unknown }>) : [])
        docs.push(p.policy);
    const attached = new Set(list(role.inputs.managedPolicyArns));
    for (const r of ref.resources) {
        if (r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === name) docs.push(r.inputs.policy);
        if (r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.inputs.role === name)
            attached.add(String(r.inputs.policyArn));
    }
    const managed = (arn: string): PlannedResource | undefined =>
        ref.resources.find(
            (r) => r.type === "aws:iam/policy:Policy" && (identifiersOf(r).arn === arn || identifiersOf(r).name === arnName(arn)),
        );
    for (const arn of attached) docs.push(managed(arn)?.inputs.policy);
    const boundary = typeof role.inputs.permissionsBoundary === "string" ? managed(role.inputs.permissionsBoundary) : undefined;
    return { found: true, identity: docs.filter((d) => policyDocument(d) !== undefined), boundary: boundary?.inputs.policy };
}

function bucketFacts(ref: ReferencedStack, bucket: string): { policy?: unknown; keyArn?: string; keyPolicy?: unknown } {
    const of = (type: string): PlannedResource | undefined => ref.resources.find((r) => r.type === type && r.inputs.bucket === bucket);
    const policy = of("aws:s3/bucketPolicy:BucketPolicy")?.inputs.policy;
    const sse = of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
    const rules = Array.isArray(sse?.inputs.rules)
        ? (sse.inputs.rules as Array<{ applyServerSideEncryptionByDefault?: { kmsMasterKeyId?: string } }>)
        : [];
    const keyArn = rules.find((r) => r.applyServerSideEncryptionByDefault?.kmsMasterKeyId)?.applyServerSideEncryptionByDefault
        ?.kmsMasterKeyId;
    // The key's own policy: without it KMS lets no IAM policy grant anything on the key.
    const key = ref.resources.find(
        (r) => r.type === "aws:kms/key:Key" && keyArn !== undefined && Object.values(identifiersOf(r)).includes(keyArn),
    );
    return { policy, keyArn, keyPolicy: key?.inputs.policy };
}

function readAccess(context: RehearsalContext, ref: ReferencedStack, backend: string): string[] {
    const m = /^s3:\/\/([^/?]+)/.exec(backend);
    if (!m) return [];
    const bucket = m[1];
    const region = /[?&]region=([\w-]+)/.exec(backend)?.[1] ?? "";
    const [, project, stack] = ref.name.split("/");
    const object = `arn:aws:s3:::${bucket}/.pulumi/stacks/${project}/${stack}.json`;
    const { policy: bucketPolicy, keyArn, keyPolicy } = bucketFacts(ref, bucket);
    const deployRoles = ref.outputs.deployRoleArns as Record<string, unknown> | undefined;
    const runners = [
        { role: deployRoles?.[context.plan.stack], what: `deploy role (output deployRoleArns.${context.plan.stack})` },
        { role: ref.outputs.previewRoleArn, what: "preview role (output previewRoleArn)" },
    ].filter((r): r is { role: string; what: string } => typeof r.role === "string");
    const problems: string[] = [];
    for (const { role, what } of runners) {
        const { found, identity, boundary } = rolePolicies(ref, role);
        if (!found) continue;
        // What the CLI's read carries: TLS, and for the key S3 calls KMS on the role's behalf (kms:ViaService, kms:CallerAccount).
        const ctx = {
            "aws:SecureTransport": "true",
            "kms:ViaService": `s3.${region}.amazonaws.com`,
            "kms:CallerAccount": role.split(":")[4] ?? "",
        };
        const read = mayCall({ identity, boundary, resource: bucketPolicy }, "s3:GetObject", object, role, ctx);
        if (!read.ok) {
            problems.push(`the ${what} ${role} may not s3:GetObject ${object} (AccessDenied; ${read.reason})`);
            continue;
        }
        if (keyArn) {
            const decrypt = mayCall({ identity, boundary, resource: keyPolicy }, "kms:Decrypt", keyArn, role, ctx);
            if (!decrypt.ok)
                problems.push(
                    `the ${what} ${role} may not kms:Decrypt with the bucket key ${keyArn}: the object is SSE-KMS (${decrypt.reason})`,
                );
        }
    }
    return problems;
}

export const stackReferences: RehearsalCheck = {
    name: NAME,
    description:
        "a StackReference resolves: the referenced stack lives in this stack's backend, and the roles that run this stack may read its checkpoint",
    run(context) {
        const findings: RehearsalFinding[] = [];
        for (const ref of context.references) {
            const self = context.plan.backend ?? backendUrlIn(ref.outputs.login);
            const theirs = ref.backend ?? backendUrlIn(ref.outputs.backend);
            const emit = (why: string, source: string): void => void findings.push({ step: 0, urn: ref.urn, check: NAME, why, source });
            if (!theirs || !self || backendId(theirs) !== backendId(self)) {
                emit(
                    `StackReference ${ref.name} (read before create #1): ${self ? `this stack lives in ${self}` : "this stack's backend is not declared (no backend.url, no login output)"}, ` +
                        `${theirs ? `but ${ref.name} lives in ${theirs}` : `but ${ref.name} declares no backend (its project has no backend.url and it publishes no backend output): it lives wherever its administrator ran \`pulumi login\``}; ` +
                        `a StackReference resolves only within the backend the CLI is logged into, so the read fails with "stack not found" (${SOURCE_BACKEND})`,
                    SOURCE_BACKEND,
                );
                continue;
            }
            for (const problem of readAccess(context, ref, self)) {
                emit(
                    `StackReference ${ref.name} (read before create #1): ${problem}; the CLI cannot read the referenced checkpoint (${SOURCE_READ})`,
                    SOURCE_READ,
                );
            }
        }
        return findings;
    },
};
