/**
 * Evaluates IAM documents with a real IAM policy simulator (@cloud-copilot/iam-simulate, AGPL:
 * test-only, never loaded by the program or the pack), so tests prove behaviour, not text.
 */
import type { PolicyDocument } from "../../components/shared/iam-documents";
import { serviceKeyPolicy } from "../../components/shared/kms-policies";
import { workloadBoundaryArn } from "../../components/foundation/deployer-policies";
import {
    actionsFor,
    CallScope,
    callOf,
    INVOKE_ACTIONS,
    Phase,
    PHASES,
    PlannedLike,
    UNSCOPABLE_ACTIONS,
} from "../../components/foundation/provider-actions";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface SimulationRequest {
    /** Policies attached to the calling principal. */
    readonly identityPolicies?: readonly PolicyDocument[];
    /** Resource policy (trust policy, key policy, bucket policy). */
    readonly resourcePolicy?: PolicyDocument;
    /** The calling principal's permissions boundary. */
    readonly permissionsBoundary?: PolicyDocument;
    readonly action: string;
    readonly principal: string;
    readonly resource: string;
    readonly resourceAccount?: string;
    /** Context keys: `aws:PrincipalTag/x`, `aws:RequestTag/x`, `oidc...:sub`, ... */
    readonly context?: Readonly<Record<string, string | string[]>>;
}

export async function simulate(request: SimulationRequest): Promise<Decision> {
    const { runSimulation } = await import("@cloud-copilot/iam-simulate");
    const response = await runSimulation(
        {
            identityPolicies: (request.identityPolicies ?? []).map((policy, i) => ({ name: `policy-${i}`, policy: policy as never })),
            permissionBoundaryPolicies: request.permissionsBoundary
                ? [{ name: "boundary", policy: request.permissionsBoundary as never }]
                : [],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: request.resourcePolicy as never,
            request: {
                action: request.action,
                principal: request.principal,
                resource: { resource: request.resource, accountId: request.resourceAccount ?? "123456789012" },
                contextVariables: { ...(request.context ?? {}) },
            },
        },
        {},
    );
    if (response.resultType === "error") {
        throw new Error(`simulation of ${request.action} on ${request.resource} is invalid: ${JSON.stringify(response.errors)}`);
    }
    return response.overallResult as Decision;
}

/**
 * Evaluates a web-identity trust policy for a token's claims. The simulator's data knows the `sub`
 * and `aud` keys only of a few issuers and drops the rest, so the issuer's keys are mapped, in the
 * policy and in the request alike, onto one it knows (`accounts.google.com`). String operators
 * work the same on every key, so the decision is the one IAM makes for the real issuer.
 */
export async function simulateWebIdentity(
    trust: PolicyDocument,
    issuerHost: string,
    claims: Readonly<Record<string, string>>,
    principal: string,
): Promise<Decision> {
    const rename = (key: string): string =>
        key.startsWith(`${issuerHost}:`) ? `accounts.google.com:${key.slice(issuerHost.length + 1)}` : key;
    const mapped: PolicyDocument = {
        ...trust,
        Statement: trust.Statement.map((s) => ({
            ...s,
            Condition: s.Condition
                ? Object.fromEntries(
                      Object.entries(s.Condition).map(([op, block]) => [
                          op,
                          Object.fromEntries(Object.entries(block).map(([k, v]) => [rename(k), v])),
                      ]),
                  )
                : undefined,
        })),
    };
    return simulate({
        resourcePolicy: mapped,
        principal,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: "arn:aws:iam::123456789012:role/target",
        context: Object.fromEntries(Object.entries(claims).map(([k, v]) => [rename(`${issuerHost}:${k}`), v])),
    });
}

// ---------------------------------------------------------------------------------------------
// The provider's calls (components/foundation/provider-actions.ts) as requests to simulate.

/** One API call of a resource, as the caller (a deploy role, the preview role) would send it. */
export interface ProviderRequest {
    /** `<type> <name>` of the resource the call is for (or the invoke's token). */
    readonly resource: string;
    readonly phase: Phase;
    readonly action: string;
    readonly arn: string;
    readonly context: Record<string, string | string[]>;
    /** The service a KMS call comes through (`kms:ViaService`'s first label), if any. */
    readonly viaService?: string;
}

/** `aws:RequestTag/k` (with `aws:TagKeys`) or `aws:ResourceTag/k` for each tag. */
export function tagContext(kind: "RequestTag" | "ResourceTag", tags: Readonly<Record<string, string>>): Record<string, string | string[]> {
    const context: Record<string, string | string[]> = Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:${kind}/${k}`, v]));
    if (kind === "RequestTag") {
        context["aws:TagKeys"] = Object.keys(tags);
    }
    return context;
}

const TAGGING = /:(Tag|CreateTags|PutBucketTagging|AddTags)/;
const UNTAGGING = /:(Untag|DeleteTags|RemoveTags)/;

/**
 * Every call of every resource (components expanded into their children) in every phase, and the
 * program's invokes. A role or user a component creates inside itself (the platform's transformations
 * do not reach it) is simulated with the workload boundary when it has none; the untagging calls
 * remove tags the program dropped, never `environmentTagKey` (that is denied).
 */
export function providerRequests(resources: readonly PlannedLike[], s: CallScope, environmentTagKey: string): ProviderRequest[] {
    const expanded: Array<[PlannedLike, boolean]> = resources.flatMap((r): Array<[PlannedLike, boolean]> => {
        const entry = actionsFor(r.type);
        return entry?.kind === "component"
            ? [[r, false], ...entry.children(r, s).map((c): [PlannedLike, boolean] => [c, true])]
            : [[r, false]];
    });
    const requests: ProviderRequest[] = [];
    for (const [raw, insideComponent] of expanded) {
        const identity = raw.type === "aws:iam/role:Role" || raw.type === "aws:iam/user:User";
        const r =
            insideComponent && identity && !raw.inputs.permissionsBoundary
                ? { ...raw, inputs: { ...raw.inputs, permissionsBoundary: workloadBoundaryArn(s.accountId, s.prefix) } }
                : raw;
        const entry = actionsFor(r.type);
        if (entry?.kind !== "aws") {
            continue;
        }
        const own = (r.inputs.tags as Record<string, string> | undefined) ?? {};
        for (const phase of PHASES) {
            for (const [index, c] of entry.calls[phase].map(callOf).entries()) {
                if (c.when && !c.when(r)) {
                    continue;
                }
                const target = c.on ? c.on(r, s) : { arn: entry.arn(r, s), tags: entry.taggable ? ("own" as const) : ("related" as const) };
                const arn = UNSCOPABLE_ACTIONS.includes(c.action) ? "*" : target.arn;
                let context: Record<string, string | string[]> = {};
                // The create call and tagging on create see the request's tags; the calls after it see the new resource's.
                if (target.tags === "own") {
                    if (UNTAGGING.test(c.action)) {
                        context = {
                            ...tagContext("ResourceTag", own),
                            "aws:TagKeys": Object.keys(own).filter((k) => k !== environmentTagKey),
                        };
                    } else if (phase === "create" && (index === 0 || TAGGING.test(c.action))) {
                        context = tagContext("RequestTag", own);
                    } else if (phase === "tag") {
                        context = { ...tagContext("RequestTag", own), ...tagContext("ResourceTag", own) };
                    } else {
                        context = tagContext("ResourceTag", own);
                    }
                } else if (target.tags === "related") {
                    context = tagContext("ResourceTag", s.environmentTags);
                } else if (target.tags === "untagged") {
                    context = tagContext("RequestTag", own);
                }
                const extra = c.context ? c.context(r, s) : {};
                requests.push({
                    resource: `${r.type} ${r.name}`,
                    phase,
                    action: c.action,
                    arn,
                    context: { ...context, ...extra },
                    viaService: typeof extra["kms:ViaService"] === "string" ? extra["kms:ViaService"].split(".")[0] : undefined,
                });
            }
        }
    }
    for (const invoke of INVOKE_ACTIONS) {
        for (const c of invoke.calls) {
            const target = c.on ? c.on({ type: invoke.token, name: invoke.token, inputs: {} }, s) : { arn: "*" };
            requests.push({ resource: invoke.token, phase: "read", action: c.action, arn: target.arn, context: {} });
        }
    }
    return requests;
}

/**
 * The decision for one provider call by a principal holding `documents`. A KMS call on a key also
 * consults the key policy: the platform's keys delegate to the account's IAM through the service the
 * call comes through (s3 when none).
 */
export function simulateProviderRequest(
    documents: readonly PolicyDocument[],
    principal: string,
    q: ProviderRequest,
    s: Pick<CallScope, "accountId" | "region">,
): Promise<Decision> {
    const keyPolicy =
        q.action.startsWith("kms:") && q.arn !== "*" ? serviceKeyPolicy(s.accountId, s.region, q.viaService ?? "s3") : undefined;
    return simulate({
        identityPolicies: documents,
        resourcePolicy: keyPolicy,
        principal,
        action: q.action,
        resource: q.arn,
        context: q.context,
    });
}

/** A key policy that leaves every use of the key to the account's IAM policies (kms-policies.ts KeyAdministration): the caller's own policies decide. */
export function keyDelegatedToAccount(accountId: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: "kms:*", Resource: "*" }],
    };
}

/** A key policy delegating every use of the key to the account's IAM policies (as the foundation's keys do for their roles). */
export function accountKeyPolicy(accountId: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${accountId}:root` },
                Action: [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:GenerateDataKey",
                    "kms:GenerateDataKeyWithoutPlaintext",
                    "kms:ReEncryptFrom",
                    "kms:ReEncryptTo",
                    "kms:DescribeKey",
                    "kms:CreateGrant",
                ],
                Resource: "*",
            },
        ],
    };
}
