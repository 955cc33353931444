/**
 * Thin policy wrappers around pure checks. A check gets a plain view of one resource and the
 * pack config and returns what must change; the wrapper applies config, exemptions and the
 * engine's unknown-value handling (touching an unknown input during preview raises the engine's
 * UnknownValueError, which it reports as an advisory "can't run during preview" finding).
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, EnforcementLevel } from "@pulumi/policy";
import { CONFIG_SCHEMA, exemptionFor, PackConfig, resolveConfig } from "../config";

/** What a check sees of a resource. Inputs are untyped JSON: checks must read them defensively. */
export interface ResourceView {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    // Inputs are whatever the program (or a hand-written fixture) sent: any JSON shape.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly props: Record<string, any>;
    /** Properties of the resource's explicit provider (e.g. `defaultTags`), when the engine sends it. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly providerProps?: Record<string, any>;
    readonly stackTags: ReadonlyMap<string, string>;
}

export interface ResourceRule {
    readonly name: string;
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    /** Resource type tokens the rule applies to (component and raw types alike). */
    readonly types: readonly string[] | ((type: string) => boolean);
    readonly check: (resource: ResourceView, config: PackConfig) => string[];
}

const typeSets = new WeakMap<readonly string[], ReadonlySet<string>>();

export function applies(rule: Pick<ResourceRule, "types">, type: string): boolean {
    if (typeof rule.types === "function") {
        return rule.types(type);
    }
    let set = typeSets.get(rule.types);
    if (!set) {
        set = new Set(rule.types);
        typeSets.set(rule.types, set);
    }
    return set.has(type);
}

/** Resource types as `pulumi:kubernetes` names CustomResources: `kubernetes:<group>/<version>:<Kind>`. */
export function isKubernetesKind(type: string, kind: string): boolean {
    return type.startsWith("kubernetes:") && type.endsWith(`:${kind}`);
}

function typeTest(types: ResourceRule["types"]): (type: string) => boolean {
    if (typeof types === "function") {
        return types;
    }
    const set = new Set(types);
    return (type) => set.has(type);
}

export function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
    // A check declared without a config parameter gets none: the config (a copy the host makes per
    // call) is then resolved only when there are findings to hold against the exemptions.
    const needsConfig = rule.check.length >= 2;
    // Asked on every call: the rule's type test made once (no lookup of its set per call).
    const accepts = typeTest(rule.types);
    const validateResource: ResourceValidationPolicy["validateResource"] & { __pulumiType?: string } = (args, reportViolation) => {
        if (!accepts(args.type)) {
            return;
        }
        let config = needsConfig ? resolveConfig(args.getConfig<Partial<PackConfig>>(), rule.name) : undefined;
        const view: ResourceView = {
            type: args.type,
            name: args.name,
            urn: args.urn,
            props: args.props,
            providerProps: args.provider?.props,
            stackTags: args.stackTags,
        };
        const findings = rule.check(view, config as PackConfig);
        if (findings.length === 0) {
            return;
        }
        config ??= resolveConfig(args.getConfig<Partial<PackConfig>>(), rule.name);
        if (!exemptionFor(config, args.name, args.props.tags, rule.name)) {
            findings.forEach((finding) => reportViolation(finding));
        }
    };
    // The same hint `validateResourceOfType` sets: the analyzer skips other types before
    // deserializing their inputs, which is most of the cost of a rule.
    if (typeof rule.types !== "function" && rule.types.length === 1) {
        validateResource.__pulumiType = rule.types[0];
    }
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        configSchema: CONFIG_SCHEMA,
        validateResource,
    };
}

export interface StackRule {
    readonly name: string;
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    /**
     * A type without which the rule has nothing to check: the host then skips the rule without
     * deserializing the stack (the hint `validateStackResourcesOfType` sets).
     */
    readonly requiresType?: string;
    /** Resource types the rule judges (for the report of types no rule checks). */
    readonly reads: readonly string[] | ((type: string) => boolean);
    /** Findings per resource URN. */
    readonly check: (
        resources: readonly PolicyResource[],
        config: PackConfig,
        stackTags: ReadonlyMap<string, string>,
    ) => Array<{ urn: string; name: string; tags: unknown; message: string }>;
}

export function stackPolicy(rule: StackRule): StackValidationPolicy {
    const validateStack: StackValidationPolicy["validateStack"] & { __pulumiType?: string } = (args, reportViolation) => {
        const config = resolveConfig(args.getConfig<Partial<PackConfig>>(), rule.name);
        for (const finding of rule.check(args.resources, config, args.stackTags)) {
            if (!exemptionFor(config, finding.name, finding.tags, rule.name)) {
                reportViolation(finding.message, finding.urn);
            }
        }
    };
    if (rule.requiresType) {
        validateStack.__pulumiType = rule.requiresType;
    }
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        configSchema: CONFIG_SCHEMA,
        validateStack,
    };
}

/** Groups stack resources by type once, so stack rules stay linear in the stack's size. */
export function byType(resources: readonly PolicyResource[]): Map<string, PolicyResource[]> {
    const index = new Map<string, PolicyResource[]>();
    for (const r of resources) {
        const list = index.get(r.type);
        if (list) {
            list.push(r);
        } else {
            index.set(r.type, [r]);
        }
    }
    return index;
}

/** Is the stack (or, failing a stack tag, its URN) the production environment? */
export function isProdStack(view: Pick<ResourceView, "stackTags" | "urn">, config: PackConfig): boolean {
    const tagged = view.stackTags.get(config.environmentTagKey);
    return tagged !== undefined ? tagged === "prod" : /^urn:pulumi:prod::/.test(view.urn);
}
