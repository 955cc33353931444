import type { PlannedResource } from "../../tools/offline/plan";

/** A resource of a hand-written plan: URN under stack `dev` of project `ciplatform`, a custom resource with no edges unless given. */
export function plannedResource(
    type: string,
    name: string,
    inputs: Record<string, unknown> = {},
    opts: Partial<PlannedResource> = {},
): PlannedResource {
    return {
        urn: `urn:pulumi:dev::ciplatform::${type}::${name}`,
        type,
        name,
        custom: true,
        parent: null,
        provider: null,
        protect: false,
        retainOnDelete: false,
        dependsOn: [],
        inputs,
        propertyDependencies: {},
        identifiers: {},
        ...opts,
    };
}
