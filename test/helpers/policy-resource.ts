import type { PolicyResource } from "@pulumi/policy";

/** A resource as a stack policy sees it (`StackValidationArgs.resources`): URN under stack `dev`, no inputs or edges unless given. */
export const policyResource = (type: string, name: string, extra: Partial<PolicyResource> = {}): PolicyResource =>
    ({
        type,
        name,
        urn: `urn:pulumi:dev::p::${type}::${name}`,
        props: {},
        dependencies: [],
        propertyDependencies: {},
        ...extra,
    }) as unknown as PolicyResource;
