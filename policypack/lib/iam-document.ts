/** IAM documents as policies see them: JSON strings or objects, single values or arrays, normalised. */

export interface NormalizedStatement {
    readonly sid?: string;
    readonly effect: "Allow" | "Deny";
    readonly actions: string[];
    readonly notActions: string[];
    readonly resources: string[];
    readonly notResources: string[];
    /** Principals by kind (`AWS`, `Service`, `Federated`, `*`). */
    readonly principals: Record<string, string[]>;
    readonly notPrincipal: boolean;
    readonly conditions: Record<string, Record<string, string[]>>;
}

const list = (value: unknown): string[] =>
    value === undefined || value === null ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

// Several rules read the same document of the same resource: JSON documents are parsed once and
// the normalised statements shared (read-only). Bounded, so a huge stack cannot grow it without end.
const parsed = new Map<string, NormalizedStatement[] | undefined>();
const PARSED_LIMIT = 4096;

/** Parses a policy document; returns undefined when it is absent or not a policy. */
export function parseDocument(value: unknown): NormalizedStatement[] | undefined {
    if (typeof value !== "string") {
        return normalize(value);
    }
    if (parsed.has(value)) {
        return parsed.get(value);
    }
    let statements: NormalizedStatement[] | undefined;
    try {
        statements = normalize(JSON.parse(value));
    } catch {
        statements = undefined;
    }
    if (parsed.size >= PARSED_LIMIT) {
        parsed.clear();
    }
    parsed.set(value, statements);
    return statements;
}

function normalize(doc: unknown): NormalizedStatement[] | undefined {
    if (doc === null || typeof doc !== "object") {
        return undefined;
    }
    const raw = (doc as { Statement?: unknown }).Statement;
    const statements = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    return statements.map((s: Record<string, unknown>) => {
        const principal = s.Principal ?? s.NotPrincipal;
        const principals: Record<string, string[]> =
            principal === "*"
                ? { "*": ["*"] }
                : principal && typeof principal === "object"
                  ? Object.fromEntries(Object.entries(principal).map(([k, v]) => [k, list(v)]))
                  : {};
        const conditions: Record<string, Record<string, string[]>> = {};
        for (const [op, block] of Object.entries((s.Condition as Record<string, Record<string, unknown>>) ?? {})) {
            conditions[op] = Object.fromEntries(Object.entries(block ?? {}).map(([k, v]) => [k, list(v)]));
        }
        return {
            sid: typeof s.Sid === "string" ? s.Sid : undefined,
            effect: s.Effect === "Deny" ? "Deny" : "Allow",
            actions: list(s.Action),
            notActions: list(s.NotAction),
            resources: list(s.Resource),
            notResources: list(s.NotResource),
            principals,
            notPrincipal: s.NotPrincipal !== undefined,
            conditions,
        };
    });
}

const entriesOf = new WeakMap<NormalizedStatement, Array<{ operator: string; key: string; values: string[] }>>();

/** Every condition key of a statement (lower-cased), with the values it is compared to. Shared: read-only. */
export function conditionEntries(s: NormalizedStatement): Array<{ operator: string; key: string; values: string[] }> {
    let entries = entriesOf.get(s);
    if (!entries) {
        entries = Object.entries(s.conditions).flatMap(([operator, block]) =>
            Object.entries(block).map(([key, values]) => ({ operator, key: key.toLowerCase(), values })),
        );
        entriesOf.set(s, entries);
    }
    return entries;
}

/**
 * A test of `value.toLowerCase()` against lower-case ASCII names that makes no lower-cased copy: only values of one of
 * the names' lengths are compared (lower-casing never makes a string equal to an ASCII name of another length), code by
 * code. Actions are tested on every statement of every resource, and a lower-cased copy of each was garbage.
 */
export function lowerCaseIn(names: readonly string[]): (value: string) => boolean {
    const notLowerAscii = names.find((n) => !/^[ -@[-~]*$/.test(n));
    if (notLowerAscii !== undefined) {
        throw new Error(`lowerCaseIn: "${notLowerAscii}" is not lower-case ASCII`);
    }
    const set = new Set(names);
    const byLength = new Map<number, string[]>();
    for (const name of names) {
        byLength.set(name.length, [...(byLength.get(name.length) ?? []), name]);
    }
    return (value) => {
        const candidates = byLength.get(value.length);
        if (candidates !== undefined) {
            for (let i = 0; i < candidates.length; i++) {
                if (sameLowerCase(value, candidates[i], set)) {
                    return true;
                }
            }
        }
        return false;
    };
}

/**
 * `value.toLowerCase() === name` for a lower-case ASCII name of the value's length, compared code by code (upper-case
 * ASCII letters folded) without a lower-cased copy; a value with a character beyond ASCII is lower-cased as it is
 * (`toLowerCase` maps some, such as the Kelvin sign, onto ASCII letters) and looked up among all the names.
 */
function sameLowerCase(value: string, name: string, names: ReadonlySet<string>): boolean {
    for (let i = 0; i < value.length; i++) {
        let c = value.charCodeAt(i);
        if (c > 0x7f) {
            return names.has(value.toLowerCase());
        }
        if (c >= 0x41 && c <= 0x5a) {
            c += 0x20;
        }
        if (c !== name.charCodeAt(i)) {
            return false;
        }
    }
    return true;
}

export function statementLabel(s: NormalizedStatement, index: number): string {
    return s.sid ? `statement "${s.sid}"` : `statement ${index + 1}`;
}

/**
 * Whether a lower-case IAM action pattern matches `action` (lower case) as IAM matches them: `*` any run of characters,
 * `?` any one (IAM User Guide, "IAM JSON policy elements: Action": wildcards in the action name, which is case
 * insensitive, as is the prefix).
 */
function wildcardCovers(pattern: string, action: string): boolean {
    let p = 0;
    let a = 0;
    let star = -1;
    let mark = 0;
    while (a < action.length) {
        if (p < pattern.length && (pattern[p] === "?" || pattern[p] === action[a])) {
            p++;
            a++;
        } else if (p < pattern.length && pattern[p] === "*") {
            star = p++;
            mark = a;
        } else if (star >= 0) {
            p = star + 1;
            a = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.length && pattern[p] === "*") {
        p++;
    }
    return p === pattern.length;
}

/**
 * Whether an Action value written with a wildcard (`*` or `?`) grants `action` (lower case), as IAM matches it: case
 * insensitive, wildcards anywhere. A value without a wildcard is false here: compare names with `lowerCaseIn`.
 */
export function wildcardGrants(value: string, action: string): boolean {
    return (value.includes("*") || value.includes("?")) && wildcardCovers(value.toLowerCase(), action);
}
