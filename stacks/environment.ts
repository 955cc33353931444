import { ConfigError } from "./config";
import type { FoundationNetworkOutput } from "./foundation";

/** What a platform stack takes from the foundation for its environment. */
export interface FoundationEnvironment {
    readonly network: FoundationNetworkOutput;
    /** The environment's deploy role: it creates the cluster, so EKS's bootstrap entry makes it cluster-admin. */
    readonly deployRoleArn: string;
    /** The preview role merge requests use. */
    readonly previewRoleArn: string;
}

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === "string");

/**
 * Checks the foundation stack's outputs for this environment before anything is created: a
 * platform stack pointing at the wrong foundation, or at one that has no network for it, fails with
 * the key to change and what is missing.
 */
export function environmentFromFoundation(
    outputs: Readonly<Record<string, unknown>>,
    environment: string,
    clusterName: string,
    stackKey: string,
    stackName: string,
): FoundationEnvironment {
    const fail = (message: string): never => {
        throw new ConfigError([{ key: stackKey, value: stackName, message }]);
    };
    const networks = outputs.networks as Record<string, Partial<FoundationNetworkOutput>> | undefined;
    if (!networks || typeof networks !== "object") {
        return fail(
            "has no output `networks`: point it at the foundation stack (cd foundation && pulumi stack ls) and run its `pulumi up` first",
        );
    }
    const network = networks[environment];
    if (!network) {
        return fail(
            `has no network for environment ${environment} (it has: ${Object.keys(networks).join(", ") || "none"}); add ${environment} to ciplatform-foundation:ciEnvironments and run the foundation's pulumi up`,
        );
    }
    const missing = (["vpcId", "privateSubnetIds", "publicSubnetIds", "zones", "runnerSecurityGroupIds"] as const).filter((field) =>
        field === "vpcId" ? typeof network.vpcId !== "string" : !isStringArray(network[field]) || network[field].length === 0,
    );
    if (missing.length > 0) {
        return fail(`network ${environment} lacks ${missing.join(", ")}; update the foundation (pulumi up in foundation/)`);
    }
    if (typeof network.clusterServiceRoleName !== "string") {
        return fail(`network ${environment} lacks clusterServiceRoleName; update the foundation (pulumi up in foundation/)`);
    }
    if (network.clusterName !== clusterName) {
        return fail(
            `network ${environment} is tagged for cluster ${JSON.stringify(network.clusterName)}, but this stack's cluster is ${JSON.stringify(clusterName)}; make ciplatform:namePrefix and ciplatform-foundation:networkPlatformNamePrefix agree`,
        );
    }
    const deployRoleArn = (outputs.deployRoleArns as Record<string, unknown> | undefined)?.[environment];
    if (typeof deployRoleArn !== "string") {
        return fail(`has no deploy role for environment ${environment} (output deployRoleArns.${environment})`);
    }
    if (typeof outputs.previewRoleArn !== "string") {
        return fail("has no output previewRoleArn");
    }
    return { network: network as FoundationNetworkOutput, deployRoleArn, previewRoleArn: outputs.previewRoleArn };
}

/**
 * `clusterAdminRoleArns` is for people: the deploy role that creates the cluster is already its
 * admin through EKS's bootstrap entry, and a second entry for it fails with 409 ResourceInUseException.
 */
export function checkAdminRoles(adminRoleArns: readonly string[], deployRoleArn: string, key: string): void {
    if (adminRoleArns.includes(deployRoleArn)) {
        throw new ConfigError([
            {
                key,
                value: adminRoleArns,
                message: `lists ${deployRoleArn}, the deploy role that creates the cluster: EKS already makes it cluster-admin (bootstrap entry), and a second access entry fails with 409 ResourceInUseException; remove it (this list is for people)`,
            },
        ]);
    }
}
