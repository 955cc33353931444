/**
 * The rehearsal's IAM decisions, behind one function (`decide`), until the shared evaluator
 * (tools/rehearse/iam-eval.ts) lands. Implements the parts of AWS's policy evaluation logic the
 * bootstrap needs (AWS IAM User Guide, "Policy evaluation logic" and "IAM JSON policy elements:
 * Condition operators"): explicit Deny wins; within one account a request is allowed when an identity
 * policy or the resource policy allows it — except KMS, whose key policy must allow it, either naming
 * the principal or delegating to the account (`:root`), in which case an identity policy must allow it
 * too; Action/NotAction, Resource/NotResource, Principal (AWS, Federated, Service) with `*`/`?`
 * wildcards; the String*, Arn*, Bool, Null and Numeric* operators, `IfExists`, and the
 * ForAnyValue/ForAllValues set qualifiers.
 */

export interface Statement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Principal?: "*" | Record<string, string | string[]>;
    readonly Action?: string | string[];
    readonly NotAction?: string | string[];
    readonly Resource?: string | string[];
    readonly NotResource?: string | string[];
    readonly Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}

export interface Policy {
    readonly Statement: Statement | Statement[];
}

export interface IamRequest {
    /** The caller: a role ARN, a user ARN, `federated:<provider ARN>` for web identity, or `service:<name>`. */
    readonly principal: string;
    readonly action: string;
    readonly resource: string;
    readonly context?: Readonly<Record<string, string | string[]>>;
}

export interface IamPolicies {
    /** Identity policies of the caller (inline and attached). `"admin"`: AdministratorAccess. */
    readonly identity: readonly Policy[] | "admin";
    /** The resource's policy (bucket, key or trust policy). */
    readonly resource?: Policy;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function wildcard(pattern: string, value: string, caseInsensitive = false): boolean {
    const body = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${body}$`, caseInsensitive ? "is" : "s").test(value);
}

function conditionHolds(operator: string, key: string, expected: unknown, context: Readonly<Record<string, string | string[]>>): boolean {
    let op = operator;
    let qualifier: "ForAnyValue" | "ForAllValues" | undefined;
    const q = /^(ForAnyValue|ForAllValues):(.+)$/.exec(op);
    if (q) {
        qualifier = q[1] as "ForAnyValue";
        op = q[2];
    }
    const ifExists = op.endsWith("IfExists");
    if (ifExists) {
        op = op.slice(0, -"IfExists".length);
    }
    const actual = context[key];
    const wanted = (Array.isArray(expected) ? expected : [expected]).map(String);
    if (op === "Null") {
        return (actual === undefined) === (wanted[0] === "true");
    }
    if (actual === undefined) {
        if (ifExists || qualifier === "ForAllValues") {
            return true;
        }
        return /Not/.test(op);
    }
    const values = Array.isArray(actual) ? actual : [actual];
    const one = (value: string): boolean => {
        switch (op) {
            case "StringEquals":
            case "ArnEquals":
                return wanted.includes(value);
            case "StringNotEquals":
            case "ArnNotEquals":
                return !wanted.includes(value);
            case "StringEqualsIgnoreCase":
                return wanted.some((w) => w.toLowerCase() === value.toLowerCase());
            case "StringLike":
            case "ArnLike":
                return wanted.some((w) => wildcard(w, value));
            case "StringNotLike":
            case "ArnNotLike":
                return !wanted.some((w) => wildcard(w, value));
            case "Bool":
                return wanted.includes(value);
            case "NumericEquals":
                return wanted.some((w) => Number(w) === Number(value));
            case "NumericLessThan":
                return wanted.some((w) => Number(value) < Number(w));
            case "NumericLessThanEquals":
                return wanted.some((w) => Number(value) <= Number(w));
            case "NumericGreaterThan":
                return wanted.some((w) => Number(value) > Number(w));
            case "NumericGreaterThanEquals":
                return wanted.some((w) => Number(value) >= Number(w));
            default:
                throw new Error(`IAM condition operator ${operator} is not evaluated by the rehearsal`);
        }
    };
    if (qualifier === "ForAllValues") {
        return values.every(one);
    }
    // Single-valued keys and ForAnyValue: any value satisfies; the Not operators need all to.
    return /Not/.test(op) && qualifier === undefined ? values.every(one) : values.some(one);
}

function principalMatches(statement: Statement, principal: string, accountId: string): "direct" | "account" | false {
    if (statement.Principal === undefined) {
        return "direct";
    }
    if (statement.Principal === "*") {
        return "direct";
    }
    const [kind, id] = principal.includes(":") && /^(federated|service):/.test(principal) ? principal.split(/:(.*)/s) : ["aws", principal];
    for (const [type, values] of Object.entries(statement.Principal)) {
        for (const value of list(values)) {
            if (type === "Federated" && kind === "federated" && value === id) {
                return "direct";
            }
            if (type === "Service" && kind === "service" && value === id) {
                return "direct";
            }
            if (type === "AWS" && kind === "aws") {
                if (value === "*" || value === id) {
                    return "direct";
                }
                if (value === `arn:aws:iam::${accountId}:root` || value === accountId) {
                    return "account";
                }
            }
        }
    }
    return false;
}

function statementApplies(s: Statement, req: IamRequest): boolean {
    const actionOk =
        s.Action !== undefined
            ? list(s.Action).some((a) => wildcard(a, req.action, true))
            : !list(s.NotAction).some((a) => wildcard(a, req.action, true));
    if (!actionOk) {
        return false;
    }
    const resourceOk =
        s.Resource !== undefined
            ? list(s.Resource).some((r) => wildcard(r, req.resource))
            : s.NotResource !== undefined
              ? !list(s.NotResource).some((r) => wildcard(r, req.resource))
              : true;
    if (!resourceOk) {
        return false;
    }
    const context = req.context ?? {};
    return Object.entries(s.Condition ?? {}).every(([operator, keys]) =>
        Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, expected, context)),
    );
}

const statementsOf = (p: Policy): Statement[] => (Array.isArray(p.Statement) ? p.Statement : [p.Statement]);

/** Whether AWS allows the request, and why not when it does not. */
export function decide(req: IamRequest, policies: IamPolicies, accountId: string): { allowed: boolean; why: string } {
    const identity =
        policies.identity === "admin" ? [{ Statement: [{ Effect: "Allow" as const, Action: "*", Resource: "*" }] }] : policies.identity;
    const identityStatements =
        req.principal.startsWith("federated:") || req.principal.startsWith("service:") ? [] : identity.flatMap(statementsOf);
    const resourceStatements = policies.resource ? statementsOf(policies.resource) : [];
    const applicableResource = resourceStatements
        .map((s) => ({ s, who: principalMatches(s, req.principal, accountId) }))
        .filter(({ s, who }) => who !== false && statementApplies(s, req));

    if (
        identityStatements.some((s) => s.Effect === "Deny" && statementApplies(s, req)) ||
        applicableResource.some(({ s }) => s.Effect === "Deny")
    ) {
        return { allowed: false, why: `explicitly denied: ${req.action} on ${req.resource}` };
    }
    const identityAllows = identityStatements.some((s) => s.Effect === "Allow" && statementApplies(s, req));
    const resourceDirect = applicableResource.some(({ s, who }) => s.Effect === "Allow" && who === "direct");
    const resourceAccount = applicableResource.some(({ s, who }) => s.Effect === "Allow" && who === "account");
    const isKms = req.action.toLowerCase().startsWith("kms:");
    const isTrust = /^sts:AssumeRole/.test(req.action);
    let allowed: boolean;
    if (isKms || isTrust) {
        // The key policy (trust policy) must allow: naming the caller, or the account and then IAM too.
        allowed = resourceDirect || (resourceAccount && identityAllows);
    } else {
        allowed = identityAllows || resourceDirect;
    }
    if (allowed) {
        return { allowed, why: "allowed" };
    }
    const where = isKms ? "the key policy" : isTrust ? "the role's trust policy" : "no identity or resource policy";
    return { allowed, why: `${where} does not allow ${req.principal} ${req.action} on ${req.resource}` };
}
