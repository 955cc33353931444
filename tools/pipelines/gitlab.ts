/**
 * GitLab CI as GitLab evaluates it, for the pipeline tests and the bootstrap rehearsal: `extends`
 * (deep-merged hashes, replaced arrays), `workflow:rules`, job `rules` (first match wins, `when`), and
 * the `rules:if` expression language.
 *
 * Expression semantics, from gitlab-org/gitlab `lib/gitlab/ci/pipeline/expression/` (lexer.rb, lexeme/*.rb)
 * and the docs "CI/CD variable expressions": a quoted string ('…' or "…") is a literal — variables inside
 * it are NOT expanded; a variable is expanded only when bare (`$VAR` or `${VAR}`); an undefined
 * variable is null; a bare variable is true when defined and non-empty; `==`/`!=` compare values
 * (null equals only null or an undefined variable); `=~`/`!~` match a /regex/ (or a variable holding
 * one); `&&` binds tighter than `||`; parentheses group.
 */
import * as YAML from "yaml";
import { lex, LexRule } from "./lexer";

export type Variables = Readonly<Record<string, string | undefined>>;
type Value = string | null | RegExp | boolean;

type Token =
    | { kind: "var"; name: string }
    | { kind: "str"; value: string }
    | { kind: "regex"; value: RegExp }
    | { kind: "null" }
    | { kind: "op"; value: "==" | "!=" | "=~" | "!~" | "&&" | "||" | "(" | ")" };

/** A `rules:if` the evaluator cannot read: GitLab rejects it as invalid, so it is an error here too. */
export class GitlabExpressionError extends Error {}

const GITLAB_TOKENS: readonly LexRule<Token>[] = [
    [/^(==|!=|=~|!~|&&|\|\||\(|\))/, (m) => ({ kind: "op", value: m[1] as "==" })],
    [/^\$(?:\{(\w+)\}|(\w+))/, (m) => ({ kind: "var", name: m[1] ?? m[2] })],
    [/^"([^"]*)"|^'([^']*)'/, (m) => ({ kind: "str", value: m[1] ?? m[2] })],
    [/^\/((?:\\.|[^/\\])*)\/([imx]*)/, (m) => ({ kind: "regex", value: new RegExp(m[1], m[2].replace("x", "")) })],
    [/^null\b/, () => ({ kind: "null" })],
];

const tokenize = (expression: string): Token[] =>
    lex(
        expression,
        GITLAB_TOKENS,
        (rest) => new GitlabExpressionError(`rules:if ${JSON.stringify(expression)}: cannot read ${JSON.stringify(rest)}`),
    );

const truthy = (value: Value): boolean =>
    typeof value === "boolean" ? value : value instanceof RegExp ? true : value !== null && value !== "";

/** Evaluates one `rules:if` against the pipeline's variables (undefined = not set). */
export function evaluateGitlabIf(expression: string, variables: Variables): boolean {
    const tokens = tokenize(expression);
    let at = 0;
    const peek = (): Token | undefined => tokens[at];
    const isOp = (value: string): boolean => {
        const t = peek();
        return t?.kind === "op" && t.value === value;
    };
    const fail = (what: string): never => {
        throw new GitlabExpressionError(`rules:if ${JSON.stringify(expression)}: ${what}`);
    };

    const operand = (): Value => {
        const t = tokens[at++];
        if (!t) {
            return fail("ends early");
        }
        switch (t.kind) {
            case "var":
                return variables[t.name] ?? null;
            case "str":
                return t.value;
            case "regex":
                return t.value;
            case "null":
                return null;
            default:
                if (t.value === "(") {
                    const inner = or();
                    if (!isOp(")")) {
                        fail("unbalanced parenthesis");
                    }
                    at++;
                    return inner;
                }
                return fail(`unexpected ${t.value}`);
        }
    };
    const comparison = (): Value => {
        const left = operand();
        const t = peek();
        if (t?.kind === "op" && ["==", "!=", "=~", "!~"].includes(t.value)) {
            at++;
            const right = operand();
            if (t.value === "==" || t.value === "!=") {
                const equal = left instanceof RegExp || right instanceof RegExp ? false : left === right;
                return t.value === "==" ? equal : !equal;
            }
            // The right side of =~ is a regex literal or a variable holding /pattern/.
            const pattern =
                right instanceof RegExp
                    ? right
                    : typeof right === "string" && /^\/.*\/[imx]*$/.test(right)
                      ? new RegExp(right.slice(1, right.lastIndexOf("/")), right.slice(right.lastIndexOf("/") + 1).replace("x", ""))
                      : fail(`the right side of ${t.value} is not a regular expression`);
            const matched = typeof left === "string" && pattern.test(left);
            return t.value === "=~" ? matched : !matched;
        }
        return left;
    };
    const and = (): Value => {
        let value = comparison();
        while (isOp("&&")) {
            at++;
            const right = comparison();
            value = truthy(value) && truthy(right);
        }
        return value;
    };
    const or = (): Value => {
        let value = and();
        while (isOp("||")) {
            at++;
            const right = and();
            value = truthy(value) || truthy(right);
        }
        return value;
    };
    const result = or();
    if (at !== tokens.length) {
        fail(`unexpected ${JSON.stringify(tokens[at])}`);
    }
    return truthy(result);
}

export interface GitlabRule {
    readonly if?: string;
    readonly when?: string;
    readonly changes?: unknown;
    readonly exists?: unknown;
}

export interface GitlabJob {
    readonly stage?: string;
    readonly script?: string[];
    readonly before_script?: string[];
    readonly tags?: string[];
    readonly rules?: GitlabRule[];
    readonly when?: string;
    readonly id_tokens?: Record<string, { aud: string }>;
    readonly variables?: Record<string, string>;
    readonly environment?: { name: string } | string;
    readonly resource_group?: string;
    /** Job timeout (`3h`, `90 minutes`); without it the project's, 60 minutes by default. */
    readonly timeout?: string;
    readonly extends?: string | string[];
    readonly image?: string;
}

const RESERVED = new Set([
    "variables",
    "default",
    "stages",
    "include",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
]);

const isHash = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** GitLab's `extends` merge: hashes deep-merged, everything else (arrays included) replaced by the extending job. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) {
        out[k] = isHash(v) && isHash(base[k]) ? deepMerge(base[k], v) : v;
    }
    return out;
}

export interface GitlabPipelineFile {
    readonly doc: Record<string, unknown>;
    /** Concrete jobs (not hidden `.templates`), `extends` resolved and `default:` applied. */
    readonly jobs: Readonly<Record<string, GitlabJob>>;
    readonly workflowRules?: readonly GitlabRule[];
    readonly variables: Readonly<Record<string, string>>;
}

export function readGitlabPipeline(text: string): GitlabPipelineFile {
    const doc = YAML.parse(text, { merge: true }) as Record<string, unknown>;
    const resolve = (name: string, seen: string[]): Record<string, unknown> => {
        if (seen.includes(name)) {
            throw new Error(`.gitlab-ci.yml: extends loop ${[...seen, name].join(" -> ")}`);
        }
        const job = doc[name];
        if (!isHash(job)) {
            throw new Error(`.gitlab-ci.yml: ${seen.at(-1) ?? name} extends ${name}, which is not defined`);
        }
        const parents = job.extends === undefined ? [] : [job.extends].flat().map(String);
        const merged = parents.reduce<Record<string, unknown>>((acc, p) => deepMerge(acc, resolve(p, [...seen, name])), {});
        return deepMerge(merged, job);
    };
    const defaults = isHash(doc.default) ? doc.default : {};
    const jobs = Object.fromEntries(
        Object.keys(doc)
            .filter((name) => !RESERVED.has(name) && !name.startsWith(".") && isHash(doc[name]))
            .map((name) => {
                const job = resolve(name, []);
                // `default:` keywords apply where the job sets none.
                return [name, { ...defaults, ...job } as GitlabJob];
            }),
    );
    const workflow = isHash(doc.workflow) ? (doc.workflow.rules as GitlabRule[] | undefined) : undefined;
    return { doc, jobs, workflowRules: workflow, variables: (doc.variables as Record<string, string> | undefined) ?? {} };
}

/** The outcome of `rules` for one pipeline: the first rule that matches, or none. */
function firstMatch(rules: readonly GitlabRule[], variables: Variables): GitlabRule | undefined {
    return rules.find((rule) => {
        if (rule.changes !== undefined || rule.exists !== undefined) {
            throw new Error(`rules with changes/exists are not evaluated here: ${JSON.stringify(rule)}`);
        }
        return rule.if === undefined || evaluateGitlabIf(rule.if, variables);
    });
}

export interface PipelineJob {
    readonly name: string;
    /** `on_success`, `manual`, `delayed` or `always`. */
    readonly when: string;
    readonly job: GitlabJob;
}

export interface PipelineOutcome {
    /** Whether `workflow:rules` lets a pipeline be created at all. */
    readonly created: boolean;
    readonly jobs: readonly PipelineJob[];
}

/** Which pipeline GitLab creates for these predefined variables, and which jobs it holds. */
export function gitlabPipelineFor(file: GitlabPipelineFile, variables: Variables): PipelineOutcome {
    if (file.workflowRules) {
        const rule = firstMatch(file.workflowRules, variables);
        if (!rule || rule.when === "never") {
            return { created: false, jobs: [] };
        }
    }
    const jobs: PipelineJob[] = [];
    for (const [name, job] of Object.entries(file.jobs)) {
        if (!job.rules) {
            jobs.push({ name, when: job.when ?? "on_success", job });
            continue;
        }
        const rule = firstMatch(job.rules, variables);
        if (rule && rule.when !== "never") {
            jobs.push({ name, when: rule.when ?? job.when ?? "on_success", job });
        }
    }
    return { created: true, jobs };
}

/** A CI/CD variable as defined in the project settings. */
export interface ProjectVariable {
    readonly name: string;
    readonly value: string;
    /** Passed only to pipelines of protected branches and tags. */
    readonly protected: boolean;
}

/**
 * The value a job sees for `$NAME` in its `variables:` (one level of expansion, as GitLab expands
 * variables that reference others): project variables (protected ones only on protected refs),
 * the pipeline's predefined variables, then the file's and the job's variables.
 */
export function jobVariable(
    file: GitlabPipelineFile,
    job: GitlabJob,
    name: string,
    predefined: Variables,
    project: readonly ProjectVariable[],
): string {
    const protectedRef = predefined.CI_COMMIT_REF_PROTECTED === "true";
    const visible: Record<string, string | undefined> = {
        ...Object.fromEntries(project.filter((v) => !v.protected || protectedRef).map((v) => [v.name, v.value])),
        ...predefined,
    };
    const raw = job.variables?.[name] ?? file.variables[name] ?? visible[name] ?? "";
    return raw.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => visible[a ?? b ?? ""] ?? "");
}
