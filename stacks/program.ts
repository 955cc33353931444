import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadKubernetesModels } from "../components/shared/k8s-models";
import { CONFIG_NAMESPACE, loadPlatformConfig } from "./config";
import { checkAdminRoles, environmentFromFoundation } from "./environment";
import { Platform } from "./platform";

/**
 * The platform program (stacks dev, staging, prod): validates the stack's whole config first (a
 * `ConfigError` lists every bad key and nothing is registered), then composes the platform.
 * Returns the stack outputs.
 */
export async function program(): Promise<Record<string, unknown>> {
    return platformProgram();
}

/** A platform stack (dev, staging, prod). */
async function platformProgram(): Promise<Record<string, unknown>> {
    const config = loadPlatformConfig();
    await loadKubernetesModels();
    const { accountId } = await aws.getCallerIdentity();
    const name = `${config.core.namePrefix}-${config.core.environment}`;

    // The environment's network, runners and CI roles come from the foundation; checked before anything is created.
    const foundationStack = new pulumi.StackReference(`${name}-foundation`, { name: config.foundation.stack });
    const outputs: Record<string, unknown> = {};
    for (const output of ["networks", "deployRoleArns", "previewRoleArn"]) {
        const details = await foundationStack.getOutputDetails(output);
        outputs[output] = details.value ?? details.secretValue;
    }
    const foundationKey = `${CONFIG_NAMESPACE}:foundationStack`;
    const foundation = environmentFromFoundation(outputs, config.core.environment, name, foundationKey, config.foundation.stack);
    checkAdminRoles(config.cluster.adminRoleArns, foundation.deployRoleArn, `${CONFIG_NAMESPACE}:clusterAdminRoleArns`);

    const platform = new Platform(name, { config, accountId, foundation });
    return {
        orgTags: pulumi.output(platform.orgTags),
        clusterName: platform.cluster.name,
        oidcProviderArn: platform.cluster.oidcProviderArn,
        oidcIssuer: platform.cluster.oidcIssuer,
        vpcId: foundation.network.vpcId,
        karpenterNodeRoleArn: platform.karpenter.nodeRoleArn,
        karpenterInterruptionQueue: platform.karpenter.interruptionQueueName,
        nodePools: platform.karpenter.nodePoolNames,
        caArn: platform.pki.caArn,
        caCertificatePem: platform.pki.caCertificatePem,
        certificateIssuer: platform.pki.issuerName,
        jenkins: platform.jenkins
            ? { url: platform.jenkins.url, adminSecret: platform.jenkins.adminSecretName, drBucket: platform.storage?.drBucket }
            : undefined,
        gitlabRunners: platform.runners
            ? { tags: platform.runners.tags, tokenSecrets: platform.runners.tokenSecretNames, cacheBucket: platform.runners.cacheBucket }
            : undefined,
    };
}
