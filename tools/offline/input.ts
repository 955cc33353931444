import type { AnalyzerInput } from "./analyzer";

/** A resource as a reviewer writes it by hand: type, name and inputs are enough. */
export interface HandWrittenResource {
    readonly type: string;
    readonly name: string;
    readonly inputs?: Record<string, unknown>;
    readonly urn?: string;
    readonly parent?: string | null;
    readonly protect?: boolean;
    readonly dependsOn?: readonly string[];
}

export class PolicyInputError extends Error {}

/**
 * Accepts a plan file (`{ version: 1, resources: [...] }`) or a bare array of resources and turns
 * it into the analyzer's input. Errors name the entry and the field that is wrong.
 */
export function analyzerInputsFrom(document: unknown): AnalyzerInput[] {
    const list = Array.isArray(document)
        ? document
        : document !== null && typeof document === "object" && Array.isArray((document as { resources?: unknown }).resources)
          ? (document as { resources: unknown[] }).resources
          : undefined;
    if (!list) {
        throw new PolicyInputError('expected a plan file with a "resources" array, or a JSON array of { "type", "name", "inputs" }');
    }
    return list.map((entry, index) => {
        const r = entry as Partial<HandWrittenResource>;
        if (typeof r !== "object" || r === null || typeof r.type !== "string" || typeof r.name !== "string") {
            throw new PolicyInputError(`resource #${index}: needs string "type" and "name" (got ${JSON.stringify(entry)?.slice(0, 120)})`);
        }
        if (r.inputs !== undefined && (typeof r.inputs !== "object" || r.inputs === null || Array.isArray(r.inputs))) {
            throw new PolicyInputError(`resource #${index} (${r.name}): "inputs" must be an object`);
        }
        return {
            urn: r.urn ?? `urn:pulumi:policy::input::${r.type}::${r.name}`,
            type: r.type,
            name: r.name,
            properties: r.inputs ?? {},
            parent: r.parent ?? null,
            protect: r.protect ?? false,
            dependsOn: r.dependsOn ?? [],
        };
    });
}
