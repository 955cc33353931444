/**
 * GitHub Actions as GitHub evaluates a workflow, for the pipeline tests and the bootstrap rehearsal:
 * whether an event triggers it (`on:` with branch/tag filters), each job's `if:` (expression language),
 * matrix expansion, and `${{ }}` in `environment:`, `runs-on:` and `concurrency:`.
 *
 * Sources (docs.github.com): "Evaluate expressions in workflows and actions" — literals ('string' with
 * '' as an escaped quote, numbers, true/false/null), operators ( ) [ ] . ! < <= > >= == != && ||,
 * string comparison ignores case, && and || return an operand; functions contains, startsWith,
 * endsWith, format; status functions success() (the default), always(), failure(), cancelled().
 * "Events that trigger workflows" / "Workflow syntax: on.push.<branches|tags>": a push filtered only by
 * branches does not run for tags, and the reverse.
 */
import * as YAML from "yaml";
import { lex, LexRule } from "./lexer";

type Value = string | number | boolean | null | Record<string, unknown> | unknown[];

export class GithubExpressionError extends Error {}

type Token = { kind: "lit"; value: Value } | { kind: "id"; name: string } | { kind: "op"; value: string };

const GITHUB_TOKENS: readonly LexRule<Token>[] = [
    [/^'((?:[^']|'')*)'/, (m) => ({ kind: "lit", value: m[1].replace(/''/g, "'") })],
    [/^(==|!=|<=|>=|&&|\|\||[()[\].!<>,])/, (m) => ({ kind: "op", value: m[1] })],
    [/^-?\d+(\.\d+)?/, (m) => ({ kind: "lit", value: Number(m[0]) })],
    [
        /^[A-Za-z_][\w-]*/,
        (m) =>
            m[0] === "true" || m[0] === "false"
                ? { kind: "lit", value: m[0] === "true" }
                : m[0] === "null"
                  ? { kind: "lit", value: null }
                  : { kind: "id", name: m[0] },
    ],
];

const tokenize = (expression: string): Token[] =>
    lex(
        expression,
        GITHUB_TOKENS,
        (rest) => new GithubExpressionError(`expression ${JSON.stringify(expression)}: cannot read ${JSON.stringify(rest)}`),
    );

const truthy = (v: Value | undefined): boolean => !(v === undefined || v === null || v === false || v === 0 || v === "" || Number.isNaN(v));

/** GitHub's loose equality: strings compare ignoring case; other types are coerced to numbers. */
function looseEqual(a: Value | undefined, b: Value | undefined): boolean {
    const x = a ?? null;
    const y = b ?? null;
    if (typeof x === "string" && typeof y === "string") {
        return x.toLowerCase() === y.toLowerCase();
    }
    if (typeof x === "object" || typeof y === "object") {
        return x === y;
    }
    const num = (v: Value): number =>
        typeof v === "boolean" ? Number(v) : v === null ? 0 : typeof v === "string" ? (v.trim() === "" ? 0 : Number(v)) : Number(v);
    return num(x) === num(y);
}

const asString = (v: Value | undefined): string =>
    v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);

/** Evaluates an expression (with or without `${{ }}`) in the given contexts (`github`, `matrix`, `vars`, `env`, …). */
export function evaluateGithubExpression(expression: string, contexts: Readonly<Record<string, unknown>>): Value {
    const source = expression.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, "$1");
    const tokens = tokenize(source);
    let at = 0;
    const fail = (what: string): never => {
        throw new GithubExpressionError(`expression ${JSON.stringify(expression)}: ${what}`);
    };
    const isOp = (value: string): boolean => tokens[at]?.kind === "op" && (tokens[at] as { value: string }).value === value;
    const expect = (value: string): void => {
        if (!isOp(value)) {
            fail(`expected ${value}`);
        }
        at++;
    };

    const call = (name: string): Value => {
        const args: Value[] = [];
        expect("(");
        while (!isOp(")")) {
            args.push(or());
            if (isOp(",")) {
                at++;
            }
        }
        expect(")");
        switch (name.toLowerCase()) {
            case "success":
            case "always":
                return true;
            case "failure":
            case "cancelled":
                return false;
            case "contains":
                return Array.isArray(args[0])
                    ? args[0].some((item) => looseEqual(item as Value, args[1]))
                    : asString(args[0]).toLowerCase().includes(asString(args[1]).toLowerCase());
            case "startswith":
                return asString(args[0]).toLowerCase().startsWith(asString(args[1]).toLowerCase());
            case "endswith":
                return asString(args[0]).toLowerCase().endsWith(asString(args[1]).toLowerCase());
            case "format":
                return asString(args[0]).replace(/\{(\d+)\}/g, (_m, n: string) => asString(args[Number(n) + 1]));
            default:
                return fail(`unknown function ${name}`);
        }
    };
    const primary = (): Value => {
        const t = tokens[at++];
        if (!t) {
            return fail("ends early");
        }
        if (t.kind === "lit") {
            return t.value;
        }
        if (t.kind === "op") {
            if (t.value === "(") {
                const inner = or();
                expect(")");
                return inner;
            }
            if (t.value === "!") {
                return !truthy(primary());
            }
            return fail(`unexpected ${t.value}`);
        }
        if (isOp("(")) {
            return call(t.name);
        }
        if (!(t.name in contexts)) {
            return fail(`unknown context ${t.name}`);
        }
        let value = contexts[t.name] as Value | undefined;
        for (;;) {
            if (isOp(".")) {
                at++;
                const prop = tokens[at++];
                if (prop?.kind !== "id") {
                    fail("expected a property name");
                }
                const name = (prop as { name: string }).name;
                value = value !== null && typeof value === "object" && !Array.isArray(value) ? (value[name] as Value | undefined) : null;
            } else if (isOp("[")) {
                at++;
                const key = or();
                expect("]");
                value = value !== null && typeof value === "object" ? ((value as Record<string, unknown>)[asString(key)] as Value) : null;
            } else {
                break;
            }
        }
        return value ?? null;
    };
    const comparison = (): Value => {
        const left = primary();
        for (const op of ["==", "!=", "<=", ">=", "<", ">"]) {
            if (isOp(op)) {
                at++;
                const right = primary();
                switch (op) {
                    case "==":
                        return looseEqual(left, right);
                    case "!=":
                        return !looseEqual(left, right);
                    case "<":
                        return Number(left) < Number(right);
                    case ">":
                        return Number(left) > Number(right);
                    case "<=":
                        return Number(left) <= Number(right);
                    default:
                        return Number(left) >= Number(right);
                }
            }
        }
        return left;
    };
    const and = (): Value => {
        let value = comparison();
        while (isOp("&&")) {
            at++;
            const right = comparison();
            value = truthy(value) ? right : value;
        }
        return value;
    };
    const or = (): Value => {
        let value = and();
        while (isOp("||")) {
            at++;
            const right = and();
            value = truthy(value) ? value : right;
        }
        return value;
    };
    const result = or();
    if (at !== tokens.length) {
        fail(`unexpected ${JSON.stringify(tokens[at])}`);
    }
    return result;
}

/** `${{ … }}` substitutions inside a string, as in `runs-on:` or `environment:`. */
export function interpolateGithub(text: string, contexts: Readonly<Record<string, unknown>>): string {
    return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, inner: string) => asString(evaluateGithubExpression(inner, contexts)));
}

export interface GithubJob {
    readonly if?: string;
    readonly needs?: string | string[];
    readonly "runs-on": string | string[];
    readonly environment?: string | { name: string };
    readonly concurrency?: string | { group: string; "cancel-in-progress"?: boolean };
    readonly permissions?: Record<string, string>;
    readonly strategy?: { matrix: Record<string, unknown[]>; "max-parallel"?: number };
    readonly steps: Array<{ uses?: string; run?: string; with?: Record<string, unknown> }>;
}

export interface GithubWorkflow {
    readonly on: Record<string, { branches?: string[]; tags?: string[] } | null>;
    readonly env?: Record<string, string>;
    readonly jobs: Record<string, GithubJob>;
}

export function readGithubWorkflow(text: string): GithubWorkflow {
    return YAML.parse(text) as GithubWorkflow;
}

/** An event GitHub delivers: its name, the ref, and the event payload the expressions read. */
export interface GithubEvent {
    readonly name: "pull_request" | "push";
    readonly ref: string;
    readonly repository: string;
    readonly event: Record<string, unknown>;
}

/** GitHub's glob for branch and tag filters (`*` within a segment, `**` across). */
function refGlob(pattern: string): RegExp {
    const body = pattern
        .split("**")
        .map((part) => part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*"))
        .join(".*");
    return new RegExp(`^${body}$`);
}

function triggers(workflow: GithubWorkflow, e: GithubEvent): boolean {
    if (!(e.name in workflow.on)) {
        return false;
    }
    const filter = workflow.on[e.name];
    if (!filter || e.name !== "push") {
        return true;
    }
    const branch = e.ref.startsWith("refs/heads/") ? e.ref.slice(11) : undefined;
    const tag = e.ref.startsWith("refs/tags/") ? e.ref.slice(10) : undefined;
    if (branch !== undefined) {
        return filter.branches === undefined ? filter.tags === undefined : filter.branches.some((p) => refGlob(p).test(branch));
    }
    if (tag !== undefined) {
        return filter.tags === undefined ? filter.branches === undefined : filter.tags.some((p) => refGlob(p).test(tag));
    }
    return false;
}

export interface GithubJobRun {
    readonly job: string;
    readonly matrix: Record<string, unknown>;
    readonly runsOn: string[];
    readonly environment?: string;
    readonly concurrencyGroup?: string;
}

/**
 * The job runs GitHub starts for an event: nothing if the workflow does not trigger; otherwise each
 * job (per matrix combination) whose `if:` holds and whose `needs` all run (success() is the default
 * status check, so a job whose need is skipped is skipped too).
 */
export function githubRunsFor(workflow: GithubWorkflow, e: GithubEvent, vars: Readonly<Record<string, string>> = {}): GithubJobRun[] {
    if (!triggers(workflow, e)) {
        return [];
    }
    const github = {
        event_name: e.name,
        ref: e.ref,
        repository: e.repository,
        event: e.event,
        run_id: "1234567890",
        run_attempt: "1",
    };
    const running = new Set<string>();
    const runs: GithubJobRun[] = [];
    const order = Object.keys(workflow.jobs);
    // Jobs in dependency order (needs before the job).
    const pending = [...order];
    while (pending.length > 0) {
        const index = pending.findIndex((name) => [workflow.jobs[name].needs ?? []].flat().every((n) => !pending.includes(n)));
        if (index < 0) {
            throw new Error(`workflow: a needs cycle among ${pending.join(", ")}`);
        }
        const [name] = pending.splice(index, 1);
        const job = workflow.jobs[name];
        if (![job.needs ?? []].flat().every((n) => running.has(n))) {
            continue;
        }
        const contexts = { github, vars, env: workflow.env ?? {} };
        if (job.if !== undefined && !truthy(evaluateGithubExpression(job.if, contexts))) {
            continue;
        }
        running.add(name);
        const matrix = job.strategy?.matrix ?? {};
        const axes = Object.entries(matrix);
        const combinations = axes.reduce<Array<Record<string, unknown>>>(
            (acc, [axis, values]) => acc.flatMap((c) => values.map((v) => ({ ...c, [axis]: v }))),
            [{}],
        );
        for (const combination of combinations) {
            const ctx = { ...contexts, matrix: combination };
            const environment =
                job.environment === undefined ? undefined : typeof job.environment === "string" ? job.environment : job.environment.name;
            const concurrency =
                job.concurrency === undefined ? undefined : typeof job.concurrency === "string" ? job.concurrency : job.concurrency.group;
            runs.push({
                job: name,
                matrix: combination,
                runsOn: [job["runs-on"]].flat().map((label) => interpolateGithub(label, ctx)),
                environment: environment === undefined ? undefined : interpolateGithub(environment, ctx),
                concurrencyGroup: concurrency === undefined ? undefined : interpolateGithub(concurrency, ctx),
            });
        }
    }
    return runs;
}
