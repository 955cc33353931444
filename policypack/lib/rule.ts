/**
 * Thin policy wrappers around pure checks. A check gets a plain view of one resource and the
 * pack config and returns what must change; the wrapper applies config, exemptions and the
 * engine's unknown-value handling (touching an unknown input during preview raises the engine's
 * UnknownValueError, which it reports as an advisory "can't run during preview" finding).
 */
import { EnforcementLevel, PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
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
    /** What must change, one message each; read-only (most checks return the shared `NO_FINDINGS`). */
    readonly check: (resource: ResourceView, config: PackConfig) => readonly string[];
}

/**
 * The result of a check that found nothing, shared: most resources have no finding, and a fresh `[]` per rule per
 * resource was garbage for the young generation to collect (docs/performance.md). Frozen, so a caller that tried to
 * add to it would fail loudly.
 */
export const NO_FINDINGS: readonly string[] = Object.freeze([]);

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
    // `type.endsWith(`:${kind}`)` without writing that string: rules whose types are a test call this for every resource.
    const colon = type.length - kind.length - 1;
    return type.startsWith("kubernetes:") && colon >= 0 && type.charCodeAt(colon) === 58 /* ":" */ && type.endsWith(kind);
}

function typeTest(types: ResourceRule["types"]): (type: string) => boolean {
    if (typeof types === "function") {
        return types;
    }
    const set = new Set(types);
    return (type) => set.has(type);
}

/** The view last made, kept while the next call's args give the same fields (see `viewOf`). */
let lastView: ResourceView | undefined;

/**
 * The view of a resource's args. The policies of one resource run one after the other on the same values (the pack's
 * dispatch hands them the host's args of that call), so the view made for the first is reused while every field it
 * copies is the same value: a view is a pure function of them and read-only, so which policy made it cannot matter.
 */
function viewOf(args: ResourceValidationArgs): ResourceView {
    const last = lastView;
    if (
        last !== undefined &&
        last.props === args.props &&
        last.type === args.type &&
        last.name === args.name &&
        last.urn === args.urn &&
        last.providerProps === args.provider?.props &&
        last.stackTags === args.stackTags
    ) {
        return last;
    }
    lastView = {
        type: args.type,
        name: args.name,
        urn: args.urn,
        props: args.props,
        providerProps: args.provider?.props,
        stackTags: args.stackTags,
    };
    return lastView;
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
        const findings = rule.check(viewOf(args), config as PackConfig);
        if (findings.length === 0) {
            return;
        }
        config ??= resolveConfig(args.getConfig<Partial<PackConfig>>(), rule.name);
        if (!exemptionFor(config, args.name, args.props.tags, rule.name)) {
            for (const finding of findings) {
                reportViolation(finding);
            }
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
