/**
 * Checks a policy config (as `--policy-pack-config` gives it, or once under "*") against the config schema
 * each policy declares in GetAnalyzerInfo, before the pack is configured: every problem at once, each naming
 * the entry, the key, the value and what is allowed. Unknown keys are refused like the engine refuses them
 * (pulumi/pulumi pkg/resource/plugin: the policy's schema is validated with additionalProperties false).
 */
import Ajv, { type ErrorObject } from "ajv";

/** One policy's config schema: JSON-schema `properties` and `required`, as the pack declares them. */
export interface PolicyConfigSchemaInfo {
    readonly properties: Record<string, unknown>;
    readonly required: readonly string[];
}

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

function describeError(entry: string, e: ErrorObject, given: Record<string, unknown>): string {
    const at = e.instancePath
        .split("/")
        .filter(Boolean)
        .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
        .join("");
    let value: unknown = given;
    for (const part of e.instancePath.split("/").filter(Boolean)) {
        value = (value as Record<string, unknown> | undefined)?.[part];
    }
    const params = e.params as Record<string, unknown>;
    const allowed = e.keyword === "enum" ? `; allowed: ${(params.allowedValues as unknown[]).join(", ")}` : "";
    return `${entry}${at}: ${e.message ?? "is invalid"}${allowed} (got ${JSON.stringify(value)})`;
}

/** Every problem of a policy config; empty when the pack will accept it. */
export function policyConfigProblems(
    config: Readonly<Record<string, unknown>>,
    schemas: ReadonlyMap<string, PolicyConfigSchemaInfo>,
): string[] {
    const problems: string[] = [];
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validators = new Map<string, ReturnType<Ajv["compile"]>>();
    for (const [entry, block] of Object.entries(config)) {
        // "*" is the pack's one block for every policy: checked once, against the schema they share.
        const policy = entry === "*" ? [...schemas.keys()][0] : entry;
        const schema = policy === undefined ? undefined : schemas.get(policy);
        if (!schema) {
            continue; // an unknown policy name is reported by the caller, with the pack's names
        }
        if (block === null || typeof block !== "object" || Array.isArray(block)) {
            problems.push(`"${entry}": must be an object of settings (got ${JSON.stringify(block)})`);
            continue;
        }
        const { enforcementLevel, ...properties } = block as Record<string, unknown>;
        if (enforcementLevel !== undefined && !LEVELS.includes(String(enforcementLevel))) {
            problems.push(`"${entry}".enforcementLevel: must be one of ${LEVELS.join(", ")} (got ${JSON.stringify(enforcementLevel)})`);
        }
        let validate = validators.get(policy as string);
        if (!validate) {
            validate = ajv.compile({
                type: "object",
                properties: schema.properties,
                required: [...schema.required],
                additionalProperties: false,
            });
            validators.set(policy as string, validate);
        }
        if (!validate(properties)) {
            for (const e of validate.errors ?? []) {
                if (e.keyword === "additionalProperties") {
                    const key = String((e.params as { additionalProperty: string }).additionalProperty);
                    problems.push(
                        `"${entry}".${key}: is not a setting of the pack's config; allowed: enforcementLevel, ${Object.keys(schema.properties).join(", ")}`,
                    );
                } else {
                    problems.push(describeError(`"${entry}"`, e, properties));
                }
            }
        }
    }
    return problems;
}
