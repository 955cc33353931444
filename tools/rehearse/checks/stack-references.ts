/**
 * References across projects and backends. A `StackReference` is read from the backend the CLI is
 * logged into, and only there: a stack in another backend (Pulumi Cloud, another bucket, a local
 * directory) is "not found" (pulumi/pulumi#3395, the maintainers' answer; https://www.pulumi.com/docs/iac/concepts/stacks/#stackreferences).
 * In an S3 (DIY) backend the read is an `s3:GetObject` of the referenced stack's checkpoint
 * `.pulumi/stacks/<project>/<stack>.json` (pulumi/pulumi `pkg/backend/diy/backend.go`, project-scoped
 * layout) by the role that runs this stack, and a `kms:Decrypt` of the bucket key through S3.
 *
 * Where the stacks live, as the project states it: this stack's backend is its project's
 * `backend.url`, else the URL in the referenced stack's `login` output (the foundation tells the
 * platform stacks where to live); the referenced stack's is its project's `backend.url`, else its own
 * `backend` output (a foundation that moved itself into the bucket it created says so). The roles that
 * run this stack are the referenced stack's `deployRoleArns.<this stack>` and `previewRoleArn` outputs.
 */
import type { PlannedResource, ReferencedStack } from "../../offline/plan";
import type { RehearsalCheck, RehearsalContext, RehearsalFinding } from "../model";
import { arnName, identifiersOf, policyDocument, PolicyStatement, statementsOf } from "../plan-view";

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

// ---- a small IAM decision for the read (identity policies and the bucket policy) -----------------

const glob = (pattern: string, value: string): boolean =>
    new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        "i",
    ).test(value);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

/** Conditions over the keys the read carries; an operator or key it does not know never matches. */
function conditionsHold(condition: PolicyStatement["Condition"], context: Readonly<Record<string, string>>): boolean {
    for (const [operator, entries] of Object.entries(condition ?? {})) {
        for (const [key, expected] of Object.entries(entries)) {
            const actual = context[key];
            const wanted = list(expected);
            const base = operator.replace(/IfExists$/, "");
            if (actual === undefined) {
                if (operator.endsWith("IfExists") || (base === "Null" && wanted.includes("true"))) continue;
                return false;
            }
            const ok =
                base === "StringEquals" || base === "ArnEquals" || base === "Bool"
                    ? wanted.some((w) => w.toLowerCase() === actual.toLowerCase())
                    : base === "StringLike" || base === "ArnLike"
                      ? wanted.some((w) => glob(w, actual))
                      : base === "StringNotEquals" || base === "ArnNotEquals"
                        ? wanted.every((w) => w !== actual)
                        : base === "StringNotLike" || base === "ArnNotLike"
                          ? wanted.every((w) => !glob(w, actual))
                          : base === "Null"
                            ? wanted.includes("false")
                            : false;
            if (!ok) return false;
        }
    }
    return true;
}

function applies(s: PolicyStatement, action: string, resource: string, context: Readonly<Record<string, string>>): boolean {
    const actionOk = s.Action !== undefined ? list(s.Action).some((a) => glob(a, action)) : !list(s.NotAction).some((a) => glob(a, action));
    const resourceOk =
        s.Resource !== undefined
            ? list(s.Resource).some((r) => glob(r, resource))
            : s.NotResource !== undefined
              ? !list(s.NotResource).some((r) => glob(r, resource))
              : true;
    return actionOk && resourceOk && conditionsHold(s.Condition, context);
}

/** Identity policies allow, and no statement (identity, boundary or bucket policy) denies; one place to switch to tools/rehearse/iam-eval.ts. */
function mayCall(
    identity: readonly PolicyStatement[],
    denies: readonly PolicyStatement[],
    action: string,
    resource: string,
    context: Readonly<Record<string, string>>,
): boolean {
    if ([...identity, ...denies].some((s) => s.Effect === "Deny" && applies(s, action, resource, context))) return false;
    return identity.some((s) => s.Effect === "Allow" && applies(s, action, resource, context));
}

/** The identity policies of a role the referenced stack creates: inline, attached, and its boundary's denies. */
function rolePolicies(ref: ReferencedStack, roleArn: string): { found: boolean; identity: PolicyStatement[]; denies: PolicyStatement[] } {
    const role = ref.resources.find(
        (r) => r.type === "aws:iam/role:Role" && (identifiersOf(r).arn === roleArn || identifiersOf(r).name === arnName(roleArn)),
    );
    if (!role) return { found: false, identity: [], denies: [] };
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
    return {
        found: true,
        identity: docs.flatMap((d) => statementsOf(policyDocument(d))),
        denies: statementsOf(policyDocument(boundary?.inputs.policy)).filter((s) => s.Effect === "Deny"),
    };
}

function bucketFacts(ref: ReferencedStack, bucket: string): { policy: PolicyStatement[]; keyArn?: string } {
    const of = (type: string): PlannedResource | undefined => ref.resources.find((r) => r.type === type && r.inputs.bucket === bucket);
    const policy = statementsOf(policyDocument(of("aws:s3/bucketPolicy:BucketPolicy")?.inputs.policy));
    const sse = of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
    const rules = Array.isArray(sse?.inputs.rules)
        ? (sse.inputs.rules as Array<{ applyServerSideEncryptionByDefault?: { kmsMasterKeyId?: string } }>)
        : [];
    return {
        policy,
        keyArn: rules.find((r) => r.applyServerSideEncryptionByDefault?.kmsMasterKeyId)?.applyServerSideEncryptionByDefault?.kmsMasterKeyId,
    };
}

function readAccess(context: RehearsalContext, ref: ReferencedStack, backend: string): string[] {
    const m = /^s3:\/\/([^/?]+)/.exec(backend);
    if (!m) return [];
    const bucket = m[1];
    const region = /[?&]region=([\w-]+)/.exec(backend)?.[1] ?? "";
    const [, project, stack] = ref.name.split("/");
    const object = `arn:aws:s3:::${bucket}/.pulumi/stacks/${project}/${stack}.json`;
    const { policy: bucketPolicy, keyArn } = bucketFacts(ref, bucket);
    const deployRoles = ref.outputs.deployRoleArns as Record<string, unknown> | undefined;
    const runners = [
        { role: deployRoles?.[context.plan.stack], what: `deploy role (output deployRoleArns.${context.plan.stack})` },
        { role: ref.outputs.previewRoleArn, what: "preview role (output previewRoleArn)" },
    ].filter((r): r is { role: string; what: string } => typeof r.role === "string");
    const problems: string[] = [];
    for (const { role, what } of runners) {
        const { found, identity, denies } = rolePolicies(ref, role);
        if (!found) continue;
        const ctx = { "aws:SecureTransport": "true", "aws:PrincipalArn": role, "kms:ViaService": `s3.${region}.amazonaws.com` };
        const bucketDenies = bucketPolicy.filter((s) => s.Effect === "Deny");
        if (!mayCall(identity, [...denies, ...bucketDenies], "s3:GetObject", object, ctx)) {
            problems.push(`the ${what} ${role} may not s3:GetObject ${object} (AccessDenied)`);
        } else if (keyArn && !mayCall(identity, denies, "kms:Decrypt", keyArn, ctx)) {
            problems.push(`the ${what} ${role} may not kms:Decrypt with the bucket key ${keyArn} (the object is SSE-KMS)`);
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
