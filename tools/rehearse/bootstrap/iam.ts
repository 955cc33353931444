/**
 * The rehearsal's IAM decisions, behind one function: the shared evaluator of the rehearsal
 * (tools/rehearse/iam-eval.ts, IAM's policy evaluation logic within one account), given the caller as
 * the bootstrap knows it: a role or user ARN, a web-identity token's OIDC provider, or the
 * administrator (AdministratorAccess).
 */
import { evaluateIam } from "../iam-eval";

export interface Policy {
    readonly Statement: unknown;
}

export interface IamRequest {
    /** The caller: a role or user ARN, `federated:<OIDC provider ARN>` for a web-identity token, or `service:<principal>`. */
    readonly principal: string;
    readonly action: string;
    readonly resource: string;
    readonly context?: Readonly<Record<string, string | string[]>>;
}

export interface IamPolicies {
    /** Identity policies of the caller (inline and attached); `"admin"`: the AWS-managed AdministratorAccess. */
    readonly identity: readonly Policy[] | "admin";
    /** The resource's policy (bucket, key or trust policy). */
    readonly resource?: Policy;
}

/** AWS-managed AdministratorAccess. */
const ADMINISTRATOR_ACCESS: Policy = { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

/** Whether AWS allows the request, and why not when it does not. */
export function decide(req: IamRequest, policies: IamPolicies): { allowed: boolean; why: string } {
    const web = /^(federated|service):(.+)$/s.exec(req.principal);
    const identity = web ? [] : policies.identity === "admin" ? [ADMINISTRATOR_ACCESS] : policies.identity;
    const result = evaluateIam(
        { action: req.action, resource: req.resource, principalArn: web ? web[2] : req.principal, context: req.context },
        { identity, resource: policies.resource },
    );
    return result.decision === "Allowed"
        ? { allowed: true, why: result.reason }
        : { allowed: false, why: `${req.principal} may not ${req.action} on ${req.resource}: ${result.reason}` };
}
