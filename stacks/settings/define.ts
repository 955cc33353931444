import { z } from "zod";

/** A problem with one stack-config key, reported together with every other problem. */
export interface ConfigIssue {
    /** Full Pulumi config key, e.g. `ciplatform:natGateways`. */
    readonly key: string;
    /** The value as given in stack config, or `undefined` when the key is missing. */
    readonly value: unknown;
    /** What is wrong and what is allowed. */
    readonly message: string;
    /** The value is a secret given in plaintext: say so, never echo it. */
    readonly hidden?: boolean;
}

/** The settings every section can see when it checks rules that span keys. */
export interface SectionContext {
    readonly environment: "dev" | "staging" | "prod";
}

/**
 * A group of related stack-config keys. Each field of `shape` is one flat Pulumi config key:
 * `<prefix><Field>` (camel case), or the field name itself when the prefix is empty. Flat keys are
 * what Pulumi's project-level config schema can declare (it has no object type).
 */
export interface Section<Shape extends z.ZodRawShape> {
    /** Key prefix, e.g. `karpenter` gives `karpenterChartVersion`. */
    readonly prefix: string;
    /** One zod schema per key; `.describe()` is the help text, `.default()` the default. */
    readonly shape: Shape;
    /** Rules that span several keys of this section or depend on the environment. */
    readonly check?: (value: z.output<z.ZodObject<Shape>>, context: SectionContext) => ReadonlyArray<SectionIssue<Shape>>;
}

/** A cross-key problem found by a section's `check`, naming the field it is about. */
export interface SectionIssue<Shape extends z.ZodRawShape> {
    readonly field: keyof Shape & string;
    readonly message: string;
}

/** Settings whose value is a secret: the stack file must hold them as `secure:` values. */
const SECRET_SETTINGS = new WeakSet<z.ZodType>();

/** Marks a setting as a secret (set with `pulumi config set --secret`); a plaintext value is refused. */
export function secretSetting<T extends z.ZodType>(schema: T): T {
    SECRET_SETTINGS.add(schema);
    return schema;
}

export function isSecretSetting(schema: z.ZodType): boolean {
    return SECRET_SETTINGS.has(schema);
}

export function defineSection<Shape extends z.ZodRawShape>(section: Section<Shape>): Section<Shape> {
    return section;
}

export type SectionValue<S> = S extends Section<infer Shape> ? z.output<z.ZodObject<Shape>> : never;

/** The Pulumi config key (without namespace) of a section's field. */
export function configKeyOf(prefix: string, field: string): string {
    return prefix === "" ? field : prefix + field.charAt(0).toUpperCase() + field.slice(1);
}

/** The Pulumi project-config type of a setting: what `Pulumi.yaml` can declare. */
export type PulumiConfigType = "string" | "integer" | "boolean" | "array";

interface JsonSchemaLike {
    type?: string | string[];
    enum?: unknown[];
    items?: JsonSchemaLike;
    default?: unknown;
    description?: string;
    anyOf?: JsonSchemaLike[];
}

/** Describes one setting for docs and `Pulumi.yaml`, derived from its zod schema. */
export interface SettingDescription {
    readonly key: string;
    readonly type: PulumiConfigType;
    readonly itemType?: PulumiConfigType;
    readonly description: string;
    readonly required: boolean;
    readonly default?: unknown;
    readonly allowed?: readonly unknown[];
}

function pulumiTypeOf(schema: JsonSchemaLike, key: string): PulumiConfigType {
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    if (type === "string" || type === "integer" || type === "boolean" || type === "array") {
        return type;
    }
    if (schema.enum && schema.enum.every((v) => typeof v === "string")) {
        return "string";
    }
    throw new Error(`setting ${key}: its schema maps to JSON type ${String(type)}, which Pulumi.yaml cannot declare`);
}

export function describeSetting(prefix: string, field: string, schema: z.ZodType): SettingDescription {
    const key = configKeyOf(prefix, field);
    const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchemaLike;
    const description = schema.description ?? json.description;
    if (!description) {
        throw new Error(`setting ${key} has no description: every key needs help text for \`pulumi config\``);
    }
    const type = pulumiTypeOf(json, key);
    const itemType = type === "array" && json.items ? pulumiTypeOf(json.items, `${key}[]`) : undefined;
    const required = !schema.safeParse(undefined).success;
    return {
        key,
        type,
        itemType,
        description,
        required,
        default: json.default,
        allowed: json.enum ?? json.items?.enum,
    };
}
