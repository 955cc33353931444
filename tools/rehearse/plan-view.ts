/**
 * Reading a plan the way the checks need it: resources by what they are called, policy documents,
 * and the values that exist before the stack. Pure functions over a `PlanFile`.
 */
import type { PlanFile, PlannedResource, ReferencedStack } from "../offline/plan";
import { SECRET_MARKER, UNKNOWN_MARKER } from "../offline/wire";
import { isCreated } from "./order";

/** Inputs that are a resource's own physical name when the plan has no `identifiers` (version 1). */
function ownNameInputs(r: PlannedResource): Record<string, string> {
    const out: Record<string, string> = {};
    const key = /^aws:s3\/bucket(?:V2)?:/.test(r.type) ? "bucket" : /^(?:aws|eks):/.test(r.type) ? "name" : undefined;
    if (key && typeof r.inputs[key] === "string") out[key] = r.inputs[key] as string;
    return out;
}

/** What other resources may name `r` by: the plan's `identifiers` (version 2), else its own name inputs. */
export function identifiersOf(r: PlannedResource): Readonly<Record<string, string>> {
    return r.identifiers ?? ownNameInputs(r);
}

/** Values too generic to be a reference (a tag value such as `dev` is not a resource's name). */
function isDistinctive(value: string): boolean {
    return value.length >= 6 && value !== SECRET_MARKER && value !== UNKNOWN_MARKER && !value.includes("*");
}

export interface NamedBy {
    readonly resource: PlannedResource;
    /** Which identifier matched (`arn`, `name`, `eksCluster.name`, …). */
    readonly key: string;
}

/** Index of every created resource by each of its identifiers. */
export function identifierIndex(resources: readonly PlannedResource[]): Map<string, NamedBy[]> {
    const index = new Map<string, NamedBy[]>();
    for (const r of resources) {
        if (!isCreated(r)) continue;
        for (const [key, value] of Object.entries(identifiersOf(r))) {
            if (!isDistinctive(value)) continue;
            index.set(value, [...(index.get(value) ?? []).filter((n) => n.resource.urn !== r.urn), { resource: r, key }]);
        }
    }
    return index;
}

/** Every string leaf of a value, with its path (`a.b[0].c`). */
export function stringLeaves(value: unknown, path = ""): Array<{ path: string; value: string }> {
    if (typeof value === "string") return [{ path, value }];
    if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, `${path}[${i}]`));
    if (value !== null && typeof value === "object") {
        return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => stringLeaves(v, path ? `${path}.${k}` : k));
    }
    return [];
}

/** A policy document given as a JSON string or an object; undefined when it is neither. */
export function policyDocument(value: unknown): { Statement?: unknown } | undefined {
    let doc = value;
    if (typeof value === "string") {
        if (!value.trimStart().startsWith("{")) return undefined;
        try {
            doc = JSON.parse(value);
        } catch {
            return undefined;
        }
    }
    return doc !== null && typeof doc === "object" && !Array.isArray(doc) && "Statement" in doc
        ? (doc as { Statement?: unknown })
        : undefined;
}

export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect?: string;
    readonly Principal?: unknown;
    readonly NotPrincipal?: unknown;
    readonly Action?: string | string[];
    readonly NotAction?: string | string[];
    readonly Resource?: string | string[];
    readonly NotResource?: string | string[];
    readonly Condition?: Record<string, Record<string, unknown>>;
}

export function statementsOf(doc: { Statement?: unknown } | undefined): PolicyStatement[] {
    if (!doc?.Statement) return [];
    return (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]).filter(
        (s): s is PolicyStatement => s !== null && typeof s === "object",
    );
}

/** The principals a statement names (`AWS` and `Federated` ARNs; services and `*` exist always). */
export function principalArns(statement: PolicyStatement): string[] {
    const out: string[] = [];
    for (const p of [statement.Principal, statement.NotPrincipal]) {
        if (p === null || typeof p !== "object") continue;
        for (const [kind, v] of Object.entries(p as Record<string, unknown>)) {
            if (kind !== "AWS" && kind !== "Federated") continue;
            for (const arn of Array.isArray(v) ? v : [v]) if (typeof arn === "string" && arn !== "*") out.push(arn);
        }
    }
    return out;
}

/** A config value's strings: structured config (objects, lists) arrives as JSON text (the CLI serializes it). */
function configLeaves(value: string): string[] {
    if (/^\s*[[{]/.test(value)) {
        try {
            return stringLeaves(JSON.parse(value)).map((l) => l.value);
        } catch {
            // Not JSON after all: the plain string is the value.
        }
    }
    return [value];
}

/**
 * Everything that exists before the stack: the stacks this one reads (their outputs' strings and their
 * resources' identifiers), and, from a version 2 plan, its own non-secret config (documented inputs such
 * as an existing connection's ARN) and what its provider functions answered (the caller's account, a
 * looked-up resource): neither is created by the stack.
 */
export function preexistingValues(references: readonly ReferencedStack[], plan?: Pick<PlanFile, "config" | "invokes">): Set<string> {
    const out = new Set<string>();
    for (const value of Object.values(plan?.config ?? {})) for (const leaf of configLeaves(value)) out.add(leaf);
    for (const invoke of plan?.invokes ?? []) for (const leaf of stringLeaves(invoke.result)) out.add(leaf.value);
    for (const ref of references) {
        for (const leaf of stringLeaves(ref.outputs)) out.add(leaf.value);
        for (const r of ref.resources) for (const v of Object.values(identifiersOf(r))) out.add(v);
    }
    return out;
}

/** The last segment of an ARN's resource part (`role/path/name` → `name`), or of an id. */
export function arnName(value: string): string {
    const resource = value.startsWith("arn:") ? value.split(":").slice(5).join(":") : value;
    return resource.split(/[/:]/).pop() ?? resource;
}

/** `true` for values that name an account's resource: an ARN with an account id, or an EC2-style id. */
export function isAccountReference(value: string): boolean {
    return (
        /^arn:aws[\w-]*:[\w-]+:[\w-]*:\d{12}:.+/.test(value) ||
        /^(?:vpc|subnet|sg|igw|nat|rtb|lt|eipalloc|vpce|fs)-[0-9a-f]{8,17}$/.test(value)
    );
}

/** Resources of the plan by URN. */
export function byUrn(plan: PlanFile): Map<string, PlannedResource> {
    return new Map(plan.resources.map((r) => [r.urn, r]));
}

/** The short label of a resource in messages: `type "name"`. */
export function label(r: Pick<PlannedResource, "type" | "name">): string {
    return `${r.type.split(":").pop()} "${r.name}"`;
}
