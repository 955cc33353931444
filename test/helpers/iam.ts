/**
 * Evaluates IAM documents with a real IAM policy simulator (@cloud-copilot/iam-simulate, AGPL:
 * test-only, never loaded by the program or the pack), so tests prove behaviour, not text.
 */
import type { PolicyDocument } from "../../components/shared/iam-documents";

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
