/**
 * The config a Pulumi program receives, built the way the CLI builds it before `preview`/`up`:
 * the stack file's values, then every `default:` (or `value:`) that `Pulumi.yaml` declares for a key
 * the stack leaves unset; a declared key of the project's namespace with neither is an error, and
 * explicitly typed keys are checked against their type. Secure values stay secrets: offline they
 * cannot be decrypted, so they reach the program as a marker string, listed as secret keys.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

/** The flat config map and secret keys, as the language host passes them (`PULUMI_CONFIG`, `PULUMI_CONFIG_SECRET_KEYS`). */
export interface StackConfig {
    readonly values: Record<string, string>;
    readonly secretKeys: string[];
}

/** One key the CLI refuses, with the value it was given. */
export interface CliConfigProblem {
    readonly key: string;
    readonly value: unknown;
    readonly message: string;
    /** A secret given in plaintext: never echoed. */
    readonly hidden?: boolean;
}

/** `key: message (got value)`, as every config message reads. */
export function formatCliProblem(p: CliConfigProblem): string {
    const given = p.hidden ? "got a plaintext value, not shown" : p.value === undefined ? "not set" : `got ${JSON.stringify(p.value)}`;
    return `${p.key}: ${p.message} (${given})`;
}

/** Raised for what the CLI itself would refuse before running the program (exit 2 offline); lists every problem. */
export class CliConfigError extends Error {
    constructor(
        message: string,
        readonly problems: readonly CliConfigProblem[] = [],
    ) {
        super(message);
        this.name = "CliConfigError";
    }
}

/**
 * What an offline run puts where a secure value would be decrypted. Offline nothing can be decrypted, so the
 * program sees this stand-in: plain letters and hyphens, so a secret setting's format check (an External ID's
 * character set) passes; the real value is checked when the CLI decrypts it. Plan files still show secrets as "[secret]".
 */
export const OFFLINE_SECRET_VALUE = "offline-secret-value";

/** Parses a YAML file; a syntax error names the file, line and column, without a stack trace. */
export function readYamlFile(file: string): unknown {
    try {
        return YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        if (err instanceof YAML.YAMLError) {
            throw new CliConfigError(
                `${path.relative(process.cwd(), file) || file}: invalid YAML: ${err.message.split("\n")[0].replace(/:$/, "")}`,
            );
        }
        throw err;
    }
}

interface ProjectConfigType {
    type?: "string" | "integer" | "boolean" | "array" | "object";
    items?: ProjectConfigType;
    default?: unknown;
    value?: unknown;
    secret?: boolean;
    description?: string;
}

export interface PulumiProject {
    readonly name: string;
    readonly root: string;
    readonly main?: string;
    readonly runtime: { name: string; options: Record<string, unknown> };
    readonly config: Record<string, ProjectConfigType>;
    /** `backend.url` of `Pulumi.yaml`: the backend the CLI logs into for this project's stacks, when the project declares it. */
    readonly backendUrl?: string;
}

/** Reads `Pulumi.yaml` of a project folder. */
export function readProject(root: string): PulumiProject {
    const file = path.join(root, "Pulumi.yaml");
    if (!fs.existsSync(file)) {
        throw new CliConfigError(`no Pulumi project at ${root}: Pulumi.yaml is missing`);
    }
    const doc = readYamlFile(file) as {
        name: string;
        main?: string;
        runtime: string | { name: string; options?: Record<string, unknown> };
        config?: Record<string, ProjectConfigType | string | number | boolean>;
        backend?: { url?: unknown };
    };
    const runtime =
        typeof doc.runtime === "string"
            ? { name: doc.runtime, options: {} }
            : { name: doc.runtime.name, options: doc.runtime.options ?? {} };
    const config: Record<string, ProjectConfigType> = {};
    for (const [key, entry] of Object.entries(doc.config ?? {})) {
        // A bare value is shorthand for `{ value: ... }`.
        config[key] = entry !== null && typeof entry === "object" && !Array.isArray(entry) ? entry : { value: entry };
    }
    const backendUrl = typeof doc.backend?.url === "string" ? doc.backend.url : undefined;
    return { name: doc.name, root, main: doc.main, runtime, config, ...(backendUrl ? { backendUrl } : {}) };
}

/** Stacks of a project: the `Pulumi.<stack>.yaml` files beside its `Pulumi.yaml`. */
export function listStacks(root: string): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** `key` of `Pulumi.yaml` → full config key: keys without a namespace belong to the project. */
function fullKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/** Config values as the CLI stores them: strings, and JSON for objects and arrays. */
function asConfigString(value: unknown): string {
    return typeof value === "string" ? value : value !== null && typeof value === "object" ? JSON.stringify(value) : String(value);
}

function typeName(t: ProjectConfigType): string {
    return t.type === "array" ? `array<${t.items ? typeName(t.items) : "any"}>` : (t.type ?? "any");
}

/** The CLI's type check of one value (strings from the stack file; JSON for arrays/objects). */
function matchesType(t: ProjectConfigType, value: unknown): boolean {
    switch (t.type) {
        case "string":
            return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
        case "integer":
            return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^-?\d+$/.test(value));
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "array":
            return Array.isArray(value) && (!t.items || value.every((item) => matchesType(t.items as ProjectConfigType, item)));
        case "object":
            return value !== null && typeof value === "object" && !Array.isArray(value);
        default:
            return true;
    }
}

/**
 * Builds the config the CLI hands the program for `stack`: the stack file merged with the
 * project's declared defaults, with the CLI's own errors for missing and mistyped keys.
 */
export function buildStackConfig(
    project: PulumiProject,
    stack: string,
    overrides?: Readonly<Record<string, unknown>>,
    /** Collects what the CLI refuses here instead of throwing, to report it with the program's own checks. */
    collect?: CliConfigProblem[],
): StackConfig {
    const file = path.join(project.root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new CliConfigError(
            `no stack config ${path.relative(process.cwd(), file)}: create it, or pick one of ${listStacks(project.root).join(", ")}`,
        );
    }
    const doc = (readYamlFile(file) ?? {}) as { config?: Record<string, unknown> };
    if (
        typeof doc !== "object" ||
        Array.isArray(doc) ||
        (doc.config !== undefined && (doc.config === null || typeof doc.config !== "object"))
    ) {
        throw new CliConfigError(`${path.relative(process.cwd(), file)}: expected a mapping with a config: mapping of keys to values`);
    }
    const raw: Record<string, unknown> = { ...(doc.config ?? {}) };
    for (const [key, value] of Object.entries(overrides ?? {})) {
        if (value === undefined) {
            delete raw[key];
        } else {
            raw[key] = value;
        }
    }
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    const typed: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
        const full = fullKey(project.name, key);
        if (value !== null && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
            values[full] = OFFLINE_SECRET_VALUE;
            secretKeys.push(full);
        } else {
            values[full] = asConfigString(value);
            typed[full] = value;
        }
    }

    // The CLI refuses missing keys, plaintext secrets and mistyped values; every one is collected here, not just the first.
    const problems: CliConfigProblem[] = [];
    const missing: string[] = [];
    for (const key of Object.keys(project.config).sort()) {
        const declared = project.config[key];
        const full = fullKey(project.name, key);
        if (full in values) {
            continue;
        }
        const fallback = declared.default ?? declared.value;
        if (fallback !== undefined) {
            values[full] = asConfigString(fallback);
            typed[full] = fallback;
        } else if (full.startsWith(`${project.name}:`)) {
            missing.push(key);
            problems.push({
                key: full,
                value: undefined,
                message: `is required (declared in Pulumi.yaml without a default): ${declared.description ?? ""}`.trim(),
            });
        }
    }

    for (const key of Object.keys(project.config).sort()) {
        const declared = project.config[key];
        const full = fullKey(project.name, key);
        if (declared.secret && full in typed && !secretKeys.includes(full)) {
            problems.push({
                key: full,
                value: undefined,
                hidden: true,
                message: "must be encrypted as it's secret: pulumi config set --secret",
            });
        } else if (declared.type && full in typed && !matchesType(declared, typed[full])) {
            problems.push({ key: full, value: typed[full], message: `must be of type '${typeName(declared)}'` });
        }
    }
    if (collect) {
        collect.push(...problems);
    } else if (problems.length > 0) {
        const header =
            missing.length > 0
                ? `Stack '${stack}' is missing configuration value${missing.length > 1 ? "s" : ""} ${missing.map((k) => `'${k}'`).join(", ")}`
                : `Stack '${stack}' has configuration the CLI refuses`;
        throw new CliConfigError(
            [`${header} (${path.relative(process.cwd(), file)}):`, ...problems.map((p) => `  - ${formatCliProblem(p)}`)].join("\n"),
            problems,
        );
    }
    return { values, secretKeys };
}
