/**
 * An IAM policy evaluator for the rehearsal: decides one request against a principal's identity
 * policies, its permissions boundary and the resource's policy, the way IAM's policy evaluation logic
 * does within one account (AWS IAM User Guide, "Policy evaluation logic", "Determining whether a
 * request is allowed or denied within an account", "Condition operators", "Policy variables").
 *
 * Product tooling: it must not load the AGPL simulator the tests compare it with
 * (`test/tools/rehearse/iam-eval.test.ts` runs both over the same requests). Documents are parsed by
 * the policy pack's normaliser (`policypack/lib/iam-document.ts`), so the pack and the rehearsal read
 * a statement the same way.
 *
 * Scope, stated so nobody relies on more: SCPs, RCPs, session policies and VPC endpoint policies are
 * not modelled (the platform uses none). Every KMS key and role has a resource policy (key policy,
 * trust policy) without which IAM policies grant nothing on it: pass it as `resource`, or the request
 * is denied, as AWS would deny it. An operator IAM has but this evaluator does not implement throws,
 * rather than deciding quietly.
 */
import { BlockList, isIP } from "node:net";
import { NormalizedStatement, parseDocument } from "../../policypack/lib/iam-document";

export type IamDecision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

export interface IamRequest {
    /** `service:Action`, as in the service authorization reference. */
    readonly action: string;
    /** The resource ARN the action is authorized on (`*` for actions without resource types). */
    readonly resource: string;
    /** The calling principal: role, assumed-role session, user or service principal. */
    readonly principalArn?: string;
    /** Request context: `aws:RequestTag/k`, `aws:ResourceTag/k`, `aws:TagKeys`, `aws:PrincipalTag/k`, service keys. */
    readonly context?: Readonly<Record<string, string | string[]>>;
}

export interface IamPolicies {
    /** Identity policies of the principal (inline and managed), as objects or JSON strings. */
    readonly identity: readonly unknown[];
    /** The principal's permissions boundary, if it has one. */
    readonly boundary?: unknown;
    /** The resource's policy (bucket, queue, key or role trust policy), if it has one. */
    readonly resource?: unknown;
}

export interface IamEvaluation {
    readonly decision: IamDecision;
    /** Which statements decided, in words. */
    readonly reason: string;
}

/** Decides `request` under `policies`. */
export function evaluateIam(request: IamRequest, policies: IamPolicies): IamEvaluation {
    const context = requestContext(request);
    const identity = policies.identity.flatMap((doc, i) => labelled(doc, `identity policy ${i + 1}`));
    const boundary = policies.boundary === undefined ? undefined : labelled(policies.boundary, "permissions boundary");
    const resource = policies.resource === undefined ? undefined : labelled(policies.resource, "resource policy");

    const matching = (statements: readonly Labelled[], effect: "Allow" | "Deny", withPrincipal: boolean): Labelled[] =>
        statements.filter(
            (l) =>
                l.statement.effect === effect &&
                statementApplies(l.statement, request, context) &&
                (!withPrincipal || principalMatches(l.statement, request)),
        );

    // 1. An explicit deny in any policy that applies wins.
    const denies = [
        ...matching(identity, "Deny", false),
        ...matching(boundary ?? [], "Deny", false),
        ...matching(resource ?? [], "Deny", true),
    ];
    if (denies.length > 0) {
        return { decision: "ExplicitlyDenied", reason: `denied by ${denies.map((d) => d.label).join(", ")}` };
    }

    const identityAllows = matching(identity, "Allow", false);
    const boundaryAllows = boundary === undefined ? undefined : matching(boundary, "Allow", false);
    const resourceAllows = resource === undefined ? [] : matching(resource, "Allow", true);
    const boundaryPermits = boundaryAllows === undefined || boundaryAllows.length > 0;

    const principalAccount = accountOf(request.principalArn);
    const resourceAccount = accountOf(request.resource) ?? principalAccount;
    const sameAccount = principalAccount === undefined || principalAccount === resourceAccount;

    // A resource policy that names the account (root) delegates to the account's identity policies
    // rather than granting by itself; naming the principal grants directly.
    const direct = resourceAllows.filter((l) => !namesOnlyAccount(l.statement, principalAccount));
    // A KMS key policy and a role's trust policy must let the account's IAM policies apply at all
    // (IAM User Guide, "Policy evaluation logic": role trust policies and KMS key policies are the
    // exceptions to same-account evaluation; AWS KMS Developer Guide, "Default key policy").
    const identityPathOpen = mustTrustAccount(request) ? resourceAllows.some((l) => namesAccount(l.statement, principalAccount)) : true;

    const show = (ls: readonly Labelled[]): string => ls.map((l) => l.label).join(", ");
    if (sameAccount) {
        if (identityAllows.length > 0 && boundaryPermits && identityPathOpen) {
            const via = boundaryAllows ? ` within ${show(boundaryAllows)}` : "";
            return { decision: "Allowed", reason: `allowed by ${show(identityAllows)}${via}` };
        }
        // Within an account a resource policy naming the principal grants by itself; the boundary
        // still limits it unless it names the exact session or user (IAM User Guide, "Permissions
        // boundaries for IAM entities": "Resource-based policies").
        const bypass = direct.filter((l) => boundaryPermits || namesSessionOrUser(l.statement, request.principalArn));
        if (bypass.length > 0) {
            return { decision: "Allowed", reason: `allowed by ${show(bypass)}` };
        }
    } else if (identityAllows.length > 0 && boundaryPermits && resourceAllows.length > 0) {
        return { decision: "Allowed", reason: `allowed across accounts by ${show(identityAllows)} and ${show(resourceAllows)}` };
    }
    const why: string[] = [];
    if (identityAllows.length === 0) why.push("no identity statement allows it");
    if (!boundaryPermits) why.push("the permissions boundary does not allow it");
    if (!identityPathOpen) why.push("the key or trust policy does not let IAM policies grant it");
    if (!sameAccount && resourceAllows.length === 0) why.push("the resource policy of the other account does not allow it");
    if (why.length === 0) why.push("no policy allows it");
    return { decision: "ImplicitlyDenied", reason: why.join("; ") };
}

interface Labelled {
    readonly statement: NormalizedStatement;
    readonly label: string;
}

function labelled(document: unknown, what: string): Labelled[] {
    const statements = parseDocument(document);
    if (statements === undefined) {
        throw new Error(`${what} is not an IAM policy document: ${JSON.stringify(document)?.slice(0, 200)}`);
    }
    return statements.map((statement, i) => ({
        statement,
        label: `${what} ${statement.sid ? `"${statement.sid}"` : `statement ${i + 1}`}`,
    }));
}

/** Context keys are case-insensitive; values keep their case. The principal's own keys are filled in. */
function requestContext(request: IamRequest): Map<string, string[]> {
    const context = new Map<string, string[]>();
    for (const [key, value] of Object.entries(request.context ?? {})) {
        context.set(key.toLowerCase(), Array.isArray(value) ? [...value] : [value]);
    }
    const principal = request.principalArn;
    if (principal && /^arn:aws[a-z-]*:(iam|sts)::\d{12}:/.test(principal)) {
        if (!context.has("aws:principalarn")) context.set("aws:principalarn", [principalArnOf(principal)]);
        if (!context.has("aws:principalaccount")) context.set("aws:principalaccount", [principal.split(":")[4]]);
    }
    return context;
}

/** `aws:PrincipalArn` of an assumed-role session is its role's ARN (path unknown here: none assumed). */
function principalArnOf(arn: string): string {
    const session = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
    return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : arn;
}

function accountOf(arn: string | undefined): string | undefined {
    const account = arn?.split(":")[4];
    return account && /^\d{12}$/.test(account) ? account : undefined;
}

function mustTrustAccount(request: IamRequest): boolean {
    const kmsKey = /^arn:aws[a-z-]*:kms:[^:]*:\d{12}:key\//.test(request.resource);
    const roleTrust = /^sts:/i.test(request.action) && /^arn:aws[a-z-]*:iam::\d{12}:role\//.test(request.resource);
    return kmsKey || roleTrust;
}

function statementApplies(s: NormalizedStatement, request: IamRequest, context: Map<string, string[]>): boolean {
    const actionMatches = (patterns: string[]): boolean => patterns.some((p) => globMatches(p, request.action, true));
    if (s.actions.length > 0 ? !actionMatches(s.actions) : !(s.notActions.length > 0 && !actionMatches(s.notActions))) {
        return false;
    }
    const resourceMatches = (patterns: string[]): boolean =>
        patterns.some((p) => {
            const pattern = substituteVariables(p, context);
            return pattern !== undefined && arnMatches(pattern, request.resource);
        });
    // A statement with neither Resource nor NotResource (trust policies) applies to the resource the policy is on.
    if (s.resources.length > 0 ? !resourceMatches(s.resources) : s.notResources.length > 0 && resourceMatches(s.notResources)) {
        return false;
    }
    return Object.entries(s.conditions).every(([operator, block]) =>
        Object.entries(block).every(([key, values]) => conditionHolds(operator, key, values, context)),
    );
}

function principalMatches(s: NormalizedStatement, request: IamRequest): boolean {
    const listed = Object.entries(s.principals).some(([kind, values]) =>
        values.some((v) => principalValueMatches(kind, v, request.principalArn)),
    );
    return s.notPrincipal ? !listed : listed;
}

function principalValueMatches(kind: string, value: string, principal: string | undefined): boolean {
    if (kind === "*" || value === "*") return true;
    if (principal === undefined) return false;
    if (kind === "Service" || kind === "Federated") return value === principal;
    if (/^\d{12}$/.test(value)) return accountOf(principal) === value;
    const root = /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(value);
    if (root) return accountOf(principal) === root[1];
    return value === principal || value === principalArnOf(principal) || sameRoleIgnoringPath(value, principal);
}

/** A role named in a policy by its ARN matches its sessions, whose ARN does not carry the role's path. */
function sameRoleIgnoringPath(roleArn: string, principal: string): boolean {
    const role = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
    const session = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principal);
    return !!role && !!session && role[2] === session[2] && role[3] === session[3];
}

function namesAccount(s: NormalizedStatement, account: string | undefined): boolean {
    return Object.entries(s.principals).some(([kind, values]) =>
        values.some(
            (v) =>
                kind === "*" ||
                v === "*" ||
                (account !== undefined && (v === account || new RegExp(`^arn:aws[a-z-]*:iam::${account}:root$`).test(v))),
        ),
    );
}

function namesOnlyAccount(s: NormalizedStatement, account: string | undefined): boolean {
    return (
        !s.notPrincipal &&
        Object.entries(s.principals).every(([kind, values]) =>
            values.every((v) => kind === "AWS" && (/^\d{12}$/.test(v) || /^arn:aws[a-z-]*:iam::\d{12}:root$/.test(v))),
        ) &&
        namesAccount(s, account)
    );
}

function namesSessionOrUser(s: NormalizedStatement, principal: string | undefined): boolean {
    if (principal === undefined || s.notPrincipal) return false;
    const sessionOrUser = /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/|^arn:aws[a-z-]*:iam::\d{12}:user\//.test(principal);
    return sessionOrUser && (s.principals.AWS ?? []).includes(principal);
}

/** Matches `*` and `?` wildcards; actions compare case-insensitively. */
function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
    const source = pattern
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("");
    return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

/**
 * ARN matching of the Resource element and the Arn* operators: each of the six colon-separated parts
 * matched on its own, so a wildcard never spans a colon outside the resource part (IAM User Guide,
 * "ARN condition operators").
 */
function arnMatches(pattern: string, arn: string): boolean {
    if (pattern === "*") return true;
    const p = splitArn(pattern);
    const a = splitArn(arn);
    if (!p || !a) return globMatches(pattern, arn, false);
    return p.every((part, i) => globMatches(part, a[i], false));
}

function splitArn(arn: string): string[] | undefined {
    const parts = arn.split(":");
    if (parts.length < 6 || parts[0] !== "arn") return undefined;
    return [...parts.slice(0, 5), parts.slice(5).join(":")];
}

/**
 * Replaces `${key}` policy variables (and the `${*}`, `${?}`, `${$}` escapes) with request values.
 * A variable whose key is absent or multi-valued makes the value match nothing: undefined.
 */
function substituteVariables(text: string, context: Map<string, string[]>): string | undefined {
    let missing = false;
    const replaced = text.replace(/\$\{([^}]+)\}/g, (_, inner: string) => {
        if (inner === "*" || inner === "?" || inner === "$") return inner;
        const [key, fallback] = inner.split(/\s*,\s*/);
        const values = context.get(key.trim().toLowerCase());
        if (values && values.length === 1) return values[0];
        const quoted = fallback ? /^'(.*)'$/.exec(fallback) : null;
        if (quoted) return quoted[1];
        missing = true;
        return "";
    });
    return missing ? undefined : replaced;
}

type Comparison = (actual: string, expected: string) => boolean;

const number = (v: string): number => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : NaN);
const date = (v: string): number => (/^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v));

/** Positive comparisons by operator; the `Not` forms are their negations over all values. */
const COMPARISONS: Record<string, { compare: Comparison; negated: boolean; variables: boolean }> = {};
function comparison(names: [string, string | undefined], compare: Comparison, variables = true): void {
    COMPARISONS[names[0].toLowerCase()] = { compare, negated: false, variables };
    if (names[1]) COMPARISONS[names[1].toLowerCase()] = { compare, negated: true, variables };
}
comparison(["StringEquals", "StringNotEquals"], (a, e) => a === e);
comparison(["StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"], (a, e) => a.toLowerCase() === e.toLowerCase());
comparison(["StringLike", "StringNotLike"], (a, e) => globMatches(e, a, false));
comparison(["ArnEquals", "ArnNotEquals"], (a, e) => arnMatches(e, a));
comparison(["ArnLike", "ArnNotLike"], (a, e) => arnMatches(e, a));
comparison(["Bool", undefined], (a, e) => a.toLowerCase() === e.toLowerCase(), false);
comparison(["NumericEquals", "NumericNotEquals"], (a, e) => number(a) === number(e), false);
comparison(["NumericLessThan", undefined], (a, e) => number(a) < number(e), false);
comparison(["NumericLessThanEquals", undefined], (a, e) => number(a) <= number(e), false);
comparison(["NumericGreaterThan", undefined], (a, e) => number(a) > number(e), false);
comparison(["NumericGreaterThanEquals", undefined], (a, e) => number(a) >= number(e), false);
comparison(["DateEquals", "DateNotEquals"], (a, e) => date(a) === date(e), false);
comparison(["DateLessThan", undefined], (a, e) => date(a) < date(e), false);
comparison(["DateLessThanEquals", undefined], (a, e) => date(a) <= date(e), false);
comparison(["DateGreaterThan", undefined], (a, e) => date(a) > date(e), false);
comparison(["DateGreaterThanEquals", undefined], (a, e) => date(a) >= date(e), false);
comparison(["IpAddress", "NotIpAddress"], (a, e) => ipInCidr(a, e), false);
comparison(["BinaryEquals", undefined], (a, e) => a === e, false);

/** Whether an address lies in a CIDR (a bare address is its own /32 or /128), as IpAddress compares aws:SourceIp. */
function ipInCidr(address: string, cidr: string): boolean {
    const [network, bits] = cidr.split("/");
    const family = isIP(network);
    if (family === 0 || isIP(address) !== family) return false;
    const type = family === 4 ? "ipv4" : "ipv6";
    const blocks = new BlockList();
    blocks.addSubnet(network, bits === undefined ? (family === 4 ? 32 : 128) : Number(bits), type);
    return blocks.check(address, type);
}

/**
 * One condition key under one operator (IAM User Guide, "Condition operators", "Multivalued context
 * keys"): absent keys fail positive operators and satisfy negated ones; `IfExists` makes an absent
 * key satisfy; `ForAllValues` holds when every request value matches (and when there are none);
 * `ForAnyValue` when at least one does.
 */
function conditionHolds(rawOperator: string, key: string, expectedRaw: string[], context: Map<string, string[]>): boolean {
    const actual = context.get(key.toLowerCase());
    let operator = rawOperator;
    let set: "all" | "any" | undefined;
    const prefix = /^(ForAllValues|ForAnyValue):(.+)$/i.exec(operator);
    if (prefix) {
        set = prefix[1].toLowerCase() === "forallvalues" ? "all" : "any";
        operator = prefix[2];
    }
    if (operator.toLowerCase() === "null") {
        const absent = actual === undefined || actual.length === 0;
        return expectedRaw.some((e) => (e.toLowerCase() === "true") === absent);
    }
    const ifExists = /IfExists$/i.test(operator);
    if (ifExists) operator = operator.slice(0, -"IfExists".length);
    const op = COMPARISONS[operator.toLowerCase()];
    if (!op) {
        throw new Error(`condition operator ${rawOperator} is not an IAM condition operator (IAM User Guide, "Condition operators")`);
    }
    if (actual === undefined || actual.length === 0) {
        if (set === "all") return true;
        if (set === "any") return false;
        return ifExists || op.negated;
    }
    const expected = expectedRaw.flatMap((e) => {
        const value = op.variables ? substituteVariables(e, context) : e;
        return value === undefined ? [] : [value];
    });
    const valueMatches = (a: string): boolean => {
        const any = expected.some((e) => op.compare(a, e));
        return op.negated ? !any : any;
    };
    if (set === "all") return actual.every(valueMatches);
    if (set === "any") return actual.some(valueMatches);
    return op.negated ? actual.every(valueMatches) : actual.some(valueMatches);
}
