import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadKubernetesModels } from "../components/k8s-models";
import { Deployer } from "../components/deployer";
import { loadDeployerConfig, loadPlatformConfig, orgTags, stackKindOf } from "./config";
import { orgTagsTransformation } from "../components/tags";
import { Platform } from "./platform";

/**
 * The Pulumi program: validates the stack's whole config first (a `ConfigError` lists every bad
 * key and nothing is registered), then composes the platform. Returns the stack outputs.
 */
export async function program(): Promise<Record<string, unknown>> {
    return stackKindOf(pulumi.getStack()) === "deployer" ? deployerProgram() : platformProgram();
}

/** The `deployer` stack: CI identities and the state backend, once per account. */
async function deployerProgram(): Promise<Record<string, unknown>> {
    const config = loadDeployerConfig();
    const { accountId } = await aws.getCallerIdentity();
    const { core, deployer } = config;
    const tags = orgTags(core);
    const component = new Deployer(
        `${core.namePrefix}-deployer`,
        {
            region: config.region,
            accountId,
            namePrefix: core.namePrefix,
            ciProvider: deployer.ciProvider,
            ciUrl: deployer.ciUrl,
            project: deployer.project,
            protectedBranch: deployer.protectedBranch,
            environments: deployer.environments,
            audiencePrefix: deployer.audiencePrefix,
            environmentTagKey: core.tagKeyEnvironment,
            permissionsBoundaryArn: deployer.permissionsBoundaryArn || undefined,
            thirdParty: deployer.thirdPartyAccountId ? { accountId: deployer.thirdPartyAccountId, externalId: pulumi.secret(deployer.thirdPartyExternalId) } : undefined,
            kmsDeletionWindowDays: core.kmsDeletionWindowDays,
            protect: core.protectStatefulResources,
        },
        { transformations: [orgTagsTransformation(tags)] },
    );
    return {
        previewRoleArn: component.previewRoleArn,
        deployRoleArns: component.deployRoleArns,
        audiences: component.audiences,
        stateBucket: component.stateBucket,
        login: component.loginCommand,
        secretsProvider: component.secretsProvider,
        stackInit: pulumi.interpolate`pulumi stack init <stack> --secrets-provider '${component.secretsProvider}'`,
    };
}

/** A platform stack (dev, staging, prod). */
async function platformProgram(): Promise<Record<string, unknown>> {
    const config = loadPlatformConfig();
    await loadKubernetesModels();
    const { accountId } = await aws.getCallerIdentity();
    const platform = new Platform(`${config.core.namePrefix}-${config.core.environment}`, { config, accountId });
    return {
        orgTags: pulumi.output(platform.orgTags),
        clusterName: platform.cluster.name,
        oidcProviderArn: platform.cluster.oidcProviderArn,
        oidcIssuer: platform.cluster.oidcIssuer,
        vpcId: platform.network.vpcId,
        karpenterNodeRoleArn: platform.karpenter.nodeRoleArn,
        karpenterInterruptionQueue: platform.karpenter.interruptionQueueName,
        nodePools: platform.karpenter.nodePoolNames,
        caArn: platform.pki.caArn,
        caCertificatePem: platform.pki.caCertificatePem,
        certificateIssuer: platform.pki.issuerName,
        jenkins: platform.jenkins ? { url: platform.jenkins.url, adminSecret: platform.jenkins.adminSecretName, drBucket: platform.storage?.drBucket } : undefined,
        gitlabRunners: platform.runners ? { tags: platform.runners.tags, tokenSecrets: platform.runners.tokenSecretNames, cacheBucket: platform.runners.cacheBucket } : undefined,
    };
}
