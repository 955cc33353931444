/**
 * Unknown value keys: every key path the project sets must exist in the chart, i.e. in its
 * `values.yaml`, in its `values.schema.json`, or as a `.Values.<path>` its templates read. Maps the
 * chart leaves open (an empty map or null default such as `annotations: {}`, `nodeSelector: {}`,
 * `podSecurityContextOverride: ~`, a schema with `additionalProperties`) accept any key below them;
 * lists and scalars are leaves (their content is the chart's business).
 */

export type ValueTree = { [key: string]: unknown };

/** What a chart says about its values. */
export interface ChartValueFacts {
    /** The chart's `values.yaml`, parsed. */
    readonly defaults: ValueTree;
    /** `values.schema.json`, when the chart has one. */
    readonly schema?: JsonSchema;
    /** Dotted `.Values` paths its templates read (e.g. `serviceAccount.create`). */
    readonly templatePaths?: ReadonlySet<string>;
    /** Subchart names and `global`: keys under them belong to another chart. */
    readonly passThrough?: ReadonlySet<string>;
}

export interface JsonSchema {
    readonly type?: string | readonly string[];
    readonly properties?: Record<string, JsonSchema>;
    readonly additionalProperties?: boolean | JsonSchema;
    readonly patternProperties?: Record<string, JsonSchema>;
    readonly $ref?: string;
    readonly allOf?: readonly JsonSchema[];
    readonly anyOf?: readonly JsonSchema[];
    readonly oneOf?: readonly JsonSchema[];
    readonly $defs?: Record<string, JsonSchema>;
    readonly definitions?: Record<string, JsonSchema>;
}

/** Keys that hold free-form maps in every chart (labels, annotations, selectors, environment, extra args). */
export const OPEN_MAP_KEYS = new Set([
    "annotations",
    "podAnnotations",
    "labels",
    "podLabels",
    "commonLabels",
    "additionalLabels",
    "extraLabels",
    "nodeSelector",
    "matchLabels",
    "extraEnv",
    "extraArgs",
    "env",
    "configScripts",
    "podTemplates",
]);

/** Fields of Kubernetes' PodSecurityContext and SecurityContext: what a chart copies verbatim into a pod. */
export const SECURITY_CONTEXT_FIELDS = new Set([
    "appArmorProfile",
    "fsGroup",
    "fsGroupChangePolicy",
    "runAsGroup",
    "runAsNonRoot",
    "runAsUser",
    "seLinuxChangePolicy",
    "seLinuxOptions",
    "seccompProfile",
    "supplementalGroups",
    "supplementalGroupsPolicy",
    "sysctls",
    "windowsOptions",
    "allowPrivilegeEscalation",
    "capabilities",
    "privileged",
    "procMount",
    "readOnlyRootFilesystem",
]);

export function isTree(value: unknown): value is ValueTree {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Resolves local `#/...` references against the root schema. */
function resolve(schema: JsonSchema | undefined, root: JsonSchema | undefined): JsonSchema | undefined {
    let current = schema;
    for (let hops = 0; current?.$ref !== undefined && hops < 16; hops++) {
        const ref = current.$ref;
        if (!ref.startsWith("#/")) return undefined;
        let target: unknown = root;
        for (const part of ref.slice(2).split("/")) target = isTree(target) ? target[part] : undefined;
        current = target as JsonSchema | undefined;
    }
    return current;
}

type SchemaAnswer = "known" | "open" | "unknown";

/** Whether `key` is declared under `schema`, and the schema of its value. */
function schemaChild(
    schema: JsonSchema | undefined,
    key: string,
    root: JsonSchema | undefined,
): { answer: SchemaAnswer; child?: JsonSchema } {
    const s = resolve(schema, root);
    if (!s) return { answer: "unknown" };
    for (const branch of [...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])]) {
        const found = schemaChild(branch, key, root);
        if (found.answer !== "unknown") return found;
    }
    if (s.properties && key in s.properties) return { answer: "known", child: s.properties[key] };
    for (const [pattern, child] of Object.entries(s.patternProperties ?? {})) {
        if (new RegExp(pattern).test(key)) return { answer: "known", child };
    }
    if (s.additionalProperties === true || (isTree(s.additionalProperties) && Object.keys(s.additionalProperties).length === 0))
        return { answer: "open" };
    if (isTree(s.additionalProperties)) return { answer: "known", child: s.additionalProperties as JsonSchema };
    // An object schema that lists no properties at all leaves the map open.
    if (
        s.properties === undefined &&
        s.patternProperties === undefined &&
        s.additionalProperties === undefined &&
        !s.allOf &&
        !s.anyOf &&
        !s.oneOf
    )
        return { answer: "open" };
    return { answer: "unknown" };
}

/**
 * Dotted paths of keys the project sets that the chart does not have. Keys whose default is an
 * empty map or null, or whose schema leaves them open, are not descended into.
 */
export function unknownValueKeys(values: ValueTree, chart: ChartValueFacts): string[] {
    const unknown: string[] = [];
    const templatePaths = chart.templatePaths ?? new Set<string>();
    const templatePrefixes = new Set<string>();
    for (const p of templatePaths) {
        const parts = p.split(".");
        for (let i = 1; i <= parts.length; i++) templatePrefixes.add(parts.slice(0, i).join("."));
    }
    const walk = (set: ValueTree, defaults: unknown, schema: JsonSchema | undefined, schemaOpen: boolean, path: string[]): void => {
        for (const [key, value] of Object.entries(set)) {
            const here = [...path, key];
            const dotted = here.join(".");
            if (path.length === 0 && chart.passThrough?.has(key)) continue;
            // A security context the chart copies into the pod: its keys are Kubernetes' fields.
            if (/securityContext$/i.test(key) && isTree(value) && isTree(defaults) && key in defaults) {
                for (const field of Object.keys(value)) if (!SECURITY_CONTEXT_FIELDS.has(field)) unknown.push(`${dotted}.${field}`);
                continue;
            }
            const inDefaults = isTree(defaults) && key in defaults;
            const fromSchema = schema ? schemaChild(schema, key, chart.schema) : { answer: "unknown" as SchemaAnswer };
            const inTemplates = templatePrefixes.has(dotted);
            if (!inDefaults && !schemaOpen && fromSchema.answer === "unknown" && !inTemplates) {
                unknown.push(dotted);
                continue;
            }
            if (!isTree(value) || fromSchema.answer === "open" || OPEN_MAP_KEYS.has(key)) continue;
            const childDefault = inDefaults ? (defaults as ValueTree)[key] : undefined;
            // Empty or null defaults are maps the chart leaves open (annotations, nodeSelector, overrides).
            const openDefault = inDefaults && (childDefault === null || (isTree(childDefault) && Object.keys(childDefault).length === 0));
            const templateLeaf = inTemplates && ![...templatePrefixes].some((p) => p.startsWith(`${dotted}.`));
            if (openDefault && fromSchema.answer !== "known") continue;
            if (inDefaults && !isTree(childDefault) && !openDefault) continue; // the project replaces a scalar or list: not ours to judge
            if (!inDefaults && (templateLeaf || (fromSchema.answer === "known" && fromSchema.child === undefined))) continue;
            walk(value, childDefault, fromSchema.child, false, here);
        }
    };
    walk(values, chart.defaults, chart.schema, false, []);
    return unknown;
}

/** `.Values.a.b.c` paths a template reads (`index .Values "a"` forms are ignored). */
export function templateValuePaths(templates: readonly string[]): Set<string> {
    const paths = new Set<string>();
    for (const text of templates) {
        for (const match of text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)/g)) {
            paths.add(match[1].slice(1));
        }
    }
    return paths;
}
