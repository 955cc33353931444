import { Region } from "@pulumi/aws/types/enums";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigIssue, Section, SectionValue, configKeyOf, describeSetting, isSecretSetting, SettingDescription } from "./settings/define";
import { coreSection } from "./settings/core";
import { foundationRefSection } from "./settings/foundation-ref";
import { clusterSection } from "./settings/cluster";
import { karpenterSection } from "./settings/karpenter";
import { secretsSection } from "./settings/secrets";
import { pkiSection } from "./settings/pki";
import { runnersSection } from "./settings/runners";
import { ciSection } from "./settings/ci";
import { deployRunnersSection, foundationNetworkSection } from "./settings/foundation";
import { storageSection } from "./settings/storage";
import { jenkinsSection } from "./settings/jenkins";
import { supplyChainSection } from "./settings/supply-chain";
import { findingsSection, securityHubSection } from "./settings/findings";
import { isAllowedJenkinsDeployRole, jenkinsDeployRoleName } from "../components/jenkins/jenkins";

export { ConfigIssue } from "./settings/define";

/** Every stack-config section of the platform project, in the order the docs list them. */
export const sections = {
    core: coreSection,
    foundation: foundationRefSection,
    cluster: clusterSection,
    karpenter: karpenterSection,
    secrets: secretsSection,
    pki: pkiSection,
    runners: runnersSection,
    storage: storageSection,
    jenkins: jenkinsSection,
    supplyChain: supplyChainSection,
    findings: findingsSection,
} as const;

/** The sections of the foundation project (its own `Pulumi.yaml` and config namespace). */
export const foundationSections = {
    core: coreSection,
    ci: ciSection,
    network: foundationNetworkSection,
    runners: deployRunnersSection,
    securityHub: securityHubSection,
} as const;

type Sections = typeof sections;

/** The whole, validated configuration of a platform stack: one typed object per section. */
export type PlatformConfig = { readonly [K in keyof Sections]: SectionValue<Sections[K]> } & {
    /** Stack name (`pulumi stack`), e.g. `dev`. */
    readonly stack: string;
    /** AWS region from the `aws:region` provider key. */
    readonly region: string;
};

export type CoreConfig = PlatformConfig["core"];

/** The validated configuration of a foundation stack. */
export interface FoundationConfig {
    readonly core: CoreConfig;
    readonly ci: SectionValue<typeof ciSection>;
    readonly network: SectionValue<typeof foundationNetworkSection>;
    readonly runners: SectionValue<typeof deployRunnersSection>;
    readonly securityHub: SectionValue<typeof securityHubSection>;
    readonly stack: string;
    readonly region: string;
}

/** A Pulumi project's settings: its config namespace (the project name) and its sections. */
export interface ProjectSettings {
    readonly namespace: string;
    /** The project's folder (where `Pulumi.yaml` and its stack files live), relative to the repository root. */
    readonly dir: string;
    readonly description: string;
    readonly sections: Readonly<Record<string, Section<z.ZodRawShape>>>;
}

/** The platform project (top level): stacks dev, staging, prod. */
export const PLATFORM_PROJECT: ProjectSettings = {
    namespace: "ciplatform",
    dir: ".",
    description: "Secure, cost-efficient CI/CD platform on AWS EKS (see README.md)",
    sections: sections as unknown as Record<string, Section<z.ZodRawShape>>,
};

/** The foundation project (`foundation/`): CI identities and the state backend, once per account. */
export const FOUNDATION_PROJECT: ProjectSettings = {
    namespace: "ciplatform-foundation",
    dir: "foundation",
    description:
        "Per-account foundation of the ciplatform: CI OIDC roles, state backend, the environments' networks and deploy runners (see ../README.md)",
    sections: foundationSections as unknown as Record<string, Section<z.ZodRawShape>>,
};

/** Pulumi config namespace of the platform project (the project name). */
export const CONFIG_NAMESPACE = PLATFORM_PROJECT.namespace;

const REGION_KEY = "aws:region";
/** The regions the AWS provider knows (its `Region` enum), the set `aws:region` must come from. */
export const AWS_REGIONS: readonly string[] = Object.values(Region).sort();

/** The stack file of a project's stack, relative to the repository root: what a config message names. */
export function stackFileOf(project: ProjectSettings, stack: string): string {
    return project.dir === "." ? `Pulumi.${stack}.yaml` : `${project.dir}/Pulumi.${stack}.yaml`;
}

/**
 * Thrown when stack config is invalid; lists every problem, not just the first, under the stack file
 * they are in. A `RunError`, so Pulumi reports just the message: the user needs the keys, not a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly issues: readonly ConfigIssue[],
        readonly file?: string,
    ) {
        super([`Invalid stack configuration${file ? ` in ${file}` : ""}:`, ...issues.map((i) => `  - ${formatIssue(i)}`)].join("\n"));
        this.name = "ConfigError";
    }
}

export function formatIssue(issue: ConfigIssue): string {
    const given = issue.hidden
        ? "got a plaintext value, not shown"
        : issue.value === undefined
          ? "not set"
          : `got ${JSON.stringify(issue.value)}`;
    return `${issue.key}: ${issue.message} (${given})`;
}

/** Help for every key of a project, derived from the schemas: the source of its `Pulumi.yaml` and docs/configuration.md. */
export function describeSettings(project: ProjectSettings = PLATFORM_PROJECT): SettingDescription[] {
    return Object.values(project.sections).flatMap((section) =>
        Object.entries(section.shape).map(([field, schema]) => describeSetting(section.prefix, field, schema as z.ZodType)),
    );
}

/** Stack config arrives as strings; decode the JSON of non-string settings so zod sees real types. */
function decode(raw: string, schema: z.ZodType, prefix: string, field: string): unknown {
    const { type } = describeSetting(prefix, field, schema);
    if (type === "string") {
        return raw;
    }
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

function messageOf(issue: z.core.$ZodIssue, given: unknown, schema: z.ZodType, prefix: string, field: string): string {
    if (given === undefined && issue.path.length === 0) {
        return `is required: ${describeSetting(prefix, field, schema).description}`;
    }
    const where =
        issue.path.length > 0 ? ` (at ${issue.path.map((p) => (typeof p === "number" ? `item ${p}` : String(p))).join(".")})` : "";
    return `${issue.message}${where}`;
}

/**
 * Validates every section of a project at once; every problem is collected. `secretKeys` are the keys
 * the stack file holds as `secure:` values (the language host's PULUMI_CONFIG_SECRET_KEYS).
 */
function parseSections(
    project: ProjectSettings,
    raw: Readonly<Record<string, string>>,
    stack: string,
    secretKeys: ReadonlySet<string>,
): Record<string, unknown> {
    const issues: ConfigIssue[] = [];
    const known = new Set<string>();
    const result: Record<string, unknown> = {};
    const valid = new Set<string>();
    const invalid = new Map<string, Set<string>>();
    const applicable = Object.entries(project.sections);
    const namespace = project.namespace;

    for (const [name, section] of applicable) {
        const value: Record<string, unknown> = {};
        let sectionValid = true;
        const invalidFields = new Set<string>();
        for (const [field, fieldSchema] of Object.entries(section.shape)) {
            const schema = fieldSchema as z.ZodType;
            const key = `${namespace}:${configKeyOf(section.prefix, field)}`;
            known.add(key);
            const given = raw[key];
            const decoded = given === undefined ? undefined : decode(given, schema, section.prefix, field);
            if (isSecretSetting(schema) && given !== undefined && given !== "" && !secretKeys.has(key)) {
                sectionValid = false;
                invalidFields.add(field);
                issues.push({
                    key,
                    value: undefined,
                    hidden: true,
                    message: `is a secret: the stack file must hold it as a secure: value; set it with \`pulumi config set --secret ${configKeyOf(section.prefix, field)} <value>\``,
                });
                continue;
            }
            const parsed = schema.safeParse(decoded);
            if (parsed.success) {
                value[field] = parsed.data;
            } else {
                sectionValid = false;
                invalidFields.add(field);
                // Cross-key rules still run in this pass, on the default where the given value is invalid.
                const fallback = schema.safeParse(undefined);
                value[field] = fallback.success ? fallback.data : undefined;
                for (const issue of parsed.error.issues) {
                    issues.push({ key, value: decoded, message: messageOf(issue, decoded, schema, section.prefix, field) });
                }
            }
        }
        result[name] = value;
        invalid.set(name, invalidFields);
        if (sectionValid) {
            valid.add(name);
        }
    }

    for (const key of Object.keys(raw)) {
        if (key.startsWith(`${namespace}:`) && !known.has(key)) {
            issues.push({
                key,
                value: raw[key],
                message: `is not a setting of the ${namespace} project (see its Pulumi.yaml for the keys)`,
            });
        }
    }

    const region = raw[REGION_KEY];
    if (region === undefined) {
        issues.push({ key: REGION_KEY, value: undefined, message: "is required: the AWS region to deploy to, e.g. eu-west-1" });
    } else if (!AWS_REGIONS.includes(region)) {
        issues.push({ key: REGION_KEY, value: region, message: `must be a region the AWS provider knows: ${AWS_REGIONS.join(", ")}` });
    }

    // Each section's cross-key rules run in the same pass, on its valid values (defaults standing in for invalid
    // ones); a rule about a key already reported, or one that needs a value that is missing, adds nothing.
    const environment = (result.core as Partial<CoreConfig>).environment;
    if (environment !== undefined) {
        for (const [name, section] of applicable) {
            if (!section.check) {
                continue;
            }
            let found: ReturnType<NonNullable<typeof section.check>> = [];
            try {
                found = section.check(result[name] as never, { environment });
            } catch {
                // A rule that reads a missing required value: its key is already reported.
            }
            for (const problem of found.filter((p) => !invalid.get(name)?.has(p.field))) {
                const key = `${namespace}:${configKeyOf(section.prefix, problem.field)}`;
                issues.push({ key, value: (result[name] as Record<string, unknown>)[problem.field], message: problem.message });
            }
        }
    }

    // Checked whenever the sections it relates are valid, so its problems come in the same pass as the others.
    if (project === PLATFORM_PROJECT && valid.has("runners") && valid.has("karpenter")) {
        issues.push(...crossSectionIssues(result as unknown as PlatformConfig));
    }
    if (issues.length > 0) {
        throw new ConfigError(issues, stackFileOf(project, stack));
    }
    return { stack, region, ...result };
}

/**
 * Validates a platform stack's whole configuration at once. `raw` is Pulumi's flat config map
 * (`namespace:key` → string, as `pulumi.runtime.allConfig()` returns it).
 */
export function parsePlatformConfig(
    raw: Readonly<Record<string, string>>,
    stack: string,
    secretKeys: ReadonlySet<string> = new Set(),
): PlatformConfig {
    return parseSections(PLATFORM_PROJECT, raw, stack, secretKeys) as unknown as PlatformConfig;
}

/** Validates a foundation stack's whole configuration at once. */
export function parseFoundationConfig(
    raw: Readonly<Record<string, string>>,
    stack: string,
    secretKeys: ReadonlySet<string> = new Set(),
): FoundationConfig {
    return parseSections(FOUNDATION_PROJECT, raw, stack, secretKeys) as unknown as FoundationConfig;
}

/** The validator of each project, by its config namespace: what the offline tools check before planning. */
export const CONFIG_PARSERS: Readonly<
    Record<string, (raw: Readonly<Record<string, string>>, stack: string, secretKeys: ReadonlySet<string>) => unknown>
> = {
    [PLATFORM_PROJECT.namespace]: parsePlatformConfig,
    [FOUNDATION_PROJECT.namespace]: parseFoundationConfig,
};

/**
 * The running program's config and which keys are secrets. `isConfigSecret` is @internal in the SDK's typings but is
 * how its own `Config` tells secrets apart (runtime/config.js, from PULUMI_CONFIG_SECRET_KEYS).
 */
function runningConfig(): { raw: Record<string, string>; secretKeys: Set<string> } {
    const raw = pulumi.runtime.allConfig();
    const isSecret = (pulumi.runtime as unknown as { isConfigSecret: (key: string) => boolean }).isConfigSecret;
    return { raw, secretKeys: new Set(Object.keys(raw).filter((k) => isSecret(k))) };
}

/** Rules between sections, checked once every section is valid on its own. */
function crossSectionIssues(config: PlatformConfig): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    if (config.runners.enabled) {
        const pools = new Set<string>(config.karpenter.ciArchitectures);
        const missing = config.runners.architectures.filter((a) => !pools.has(a));
        if (missing.length > 0) {
            issues.push({
                key: `${CONFIG_NAMESPACE}:runnersArchitectures`,
                value: config.runners.architectures,
                message: `${missing.join(", ")} has no CI NodePool: add it to karpenterCiArchitectures (${[...pools].join(", ")})`,
            });
        }
    }
    if (config.jenkins.enabled) {
        const prefix = `${config.core.namePrefix}-${config.core.environment}`;
        const outside = config.jenkins.deployRoleArns.filter((arn) => !isAllowedJenkinsDeployRole(arn, prefix));
        if (outside.length > 0) {
            issues.push({
                key: `${CONFIG_NAMESPACE}:jenkinsDeployRoleArns`,
                value: config.jenkins.deployRoleArns,
                message: `${outside.join(", ")}: the workload boundary lets Jenkins assume only roles named ${jenkinsDeployRoleName(prefix)}* (no path), in any account; rename the role`,
            });
        }
    }
    if (config.supplyChain.enabled && config.runners.enabled && config.runners.jobRoleArn !== "") {
        issues.push({
            key: `${CONFIG_NAMESPACE}:runnersJobRoleArn`,
            value: config.runners.jobRoleArn,
            message:
                "the runner jobs' role is the supply chain's CI job role (push and sign only) while supplyChainEnabled is true: remove runnersJobRoleArn, or set supplyChainEnabled false",
        });
    }
    if (config.findings.enabled && !config.supplyChain.enabled) {
        issues.push({
            key: `${CONFIG_NAMESPACE}:findingsEnabled`,
            value: true,
            message:
                "findings travel as policy reports, whose CRDs Kyverno installs (supply chain): set supplyChainEnabled true, or findingsEnabled false",
        });
    }
    return issues;
}

/** Reads and validates the running platform stack's configuration; throws `ConfigError` before any resource exists. */
export function loadPlatformConfig(): PlatformConfig {
    const { raw, secretKeys } = runningConfig();
    return parsePlatformConfig(raw, pulumi.getStack(), secretKeys);
}

/** Reads and validates the running foundation stack's configuration. */
export function loadFoundationConfig(): FoundationConfig {
    const { raw, secretKeys } = runningConfig();
    return parseFoundationConfig(raw, pulumi.getStack(), secretKeys);
}

/** The org tags every taggable AWS resource carries, keyed by the configured tag names. */
export function orgTags(core: CoreConfig): Record<string, string> {
    return {
        [core.tagKeyEnvironment]: core.environment,
        [core.tagKeyOwner]: core.owner,
        [core.tagKeyCostCenter]: core.costCenter,
        [core.tagKeyManagedBy]: "pulumi",
    };
}
