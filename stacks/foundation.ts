import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { clusterServiceRoleName } from "../components/foundation/deploy-permissions";
import { Deployer } from "../components/foundation/deployer";
import { foundationIamPathTransformation } from "../components/foundation/iam-namespace";
import { DeployRunners } from "../components/foundation/runners";
import { missingServiceLinkedRoles } from "../components/foundation/service-linked-roles";
import { Network } from "../components/network/network";
import { managedPolicyArn, policyDocument, toJson } from "../components/shared/iam-documents";
import { orgTagsTransformation } from "../components/shared/tags";
import { FoundationConfig, loadFoundationConfig, orgTags } from "./config";
import { ciVariableValues } from "../components/foundation/ci-variables";

type Environment = "dev" | "staging" | "prod";

/** What a platform stack reads of its environment from the foundation (stack output `networks`). */
export interface FoundationNetworkOutput {
    readonly clusterName: string;
    readonly vpcId: string;
    readonly vpcCidr: string;
    readonly zones: string[];
    readonly privateSubnetIds: string[];
    readonly publicSubnetIds: string[];
    /** Security groups of the environment's deploy and preview runners, admitted to the cluster endpoint. */
    readonly runnerSecurityGroupIds: string[];
    /** The CodeBuild project of each runner kind (the label pipeline jobs select it with). */
    readonly runnerTags: Record<string, string>;
    /** The EKS cluster service role (created here by the administrator, so deploy roles only pass it). */
    readonly clusterServiceRoleName: string;
}

function networkSettings(config: FoundationConfig, environment: Environment): { vpcCidr: string; natGateways: "single" | "perAz" } {
    const { network } = config;
    switch (environment) {
        case "dev":
            return { vpcCidr: network.devVpcCidr, natGateways: network.devNatGateways };
        case "staging":
            return { vpcCidr: network.stagingVpcCidr, natGateways: network.stagingNatGateways };
        case "prod":
            // prod always survives an AZ outage with its egress.
            return { vpcCidr: network.prodVpcCidr, natGateways: "perAz" };
    }
}

/**
 * The foundation program (its own project, `foundation/`), once per account by an administrator:
 * CI identities and the state backend, each environment's network, and deploy runners inside it,
 * so every later preview and deploy of a platform stack runs where the private endpoint is reachable.
 */
export async function foundationProgram(): Promise<Record<string, unknown>> {
    const config = loadFoundationConfig();
    const caller = await aws.getCallerIdentity();
    const { accountId } = caller;
    // The administrator running this `up` creates the platform stacks next: the secrets key lets them encrypt.
    // An assumed-role session is named by its role (the ARN a key policy can name).
    const { issuerArn: administratorArn } = await aws.iam.getSessionContext({ arn: caller.arn });
    const { core, ci, network, runners } = config;
    const tags = orgTags(core);
    // Every role, managed policy and instance profile of the foundation lives under its own IAM path, out of the deploy roles' reach.
    const iamPath = foundationIamPathTransformation();
    const transformations = [orgTagsTransformation(tags), iamPath];
    const protect = core.protectStatefulResources;

    // Service-linked roles the platform relies on: created where the account lacks them, kept if this stack goes.
    const existing = await aws.iam.getRoles({ pathPrefix: "/aws-service-role/" });
    const serviceLinkedRoles = missingServiceLinkedRoles(existing.names).map(
        (role) =>
            new aws.iam.ServiceLinkedRole(
                `${core.namePrefix}-slr-${role.roleName}`,
                { awsServiceName: role.serviceName, description: role.purpose },
                { retainOnDelete: true, transformations },
            ),
    );

    // Security Hub, where the platform's policy and runtime findings go (Policy Reporter's target): enabled here when
    // asked, once per account and region; kept if this stack goes (other accounts' findings may be aggregated into it).
    const securityHub = config.securityHub.enabled
        ? new aws.securityhub.Account(
              `${core.namePrefix}-security-hub`,
              { enableDefaultStandards: true, controlFindingGenerator: "SECURITY_CONTROL", autoEnableControls: true },
              { retainOnDelete: true, transformations },
          )
        : undefined;

    const deployer = new Deployer(
        `${core.namePrefix}-deployer`,
        {
            region: config.region,
            accountId,
            namePrefix: core.namePrefix,
            ciProvider: ci.provider,
            ciUrl: ci.url,
            project: ci.project,
            protectedBranch: ci.protectedBranch,
            environments: ci.environments,
            audiencePrefix: ci.audiencePrefix,
            environmentTagKey: core.tagKeyEnvironment,
            permissionsBoundaryArn: ci.permissionsBoundaryArn || undefined,
            thirdParty: ci.thirdPartyAccountId
                ? { accountId: ci.thirdPartyAccountId, externalId: pulumi.secret(ci.thirdPartyExternalId) }
                : undefined,
            kmsDeletionWindowDays: core.kmsDeletionWindowDays,
            protect,
            stackCreatorArns: [administratorArn],
            foundationStack: { project: pulumi.getProject(), stack: pulumi.getStack() },
        },
        { transformations },
    );

    const ciUrl = ci.provider === "github" ? "https://github.com" : ci.url;
    const networks: Record<string, pulumi.Output<FoundationNetworkOutput>> = {};
    for (const environment of ci.environments) {
        const clusterName = `${network.platformNamePrefix}-${environment}`;
        const envTags = { ...tags, [core.tagKeyEnvironment]: environment };
        const envOpts = { transformations: [orgTagsTransformation(envTags), iamPath] };
        const settings = networkSettings(config, environment);
        const net = new Network(
            `${core.namePrefix}-${environment}-network`,
            {
                region: config.region,
                accountId,
                vpcCidr: settings.vpcCidr,
                availabilityZones: network.availabilityZones,
                natGateways: settings.natGateways,
                clusterName,
                flowLogRetentionDays: network.flowLogRetentionDays,
                kmsDeletionWindowDays: core.kmsDeletionWindowDays,
                protect,
            },
            envOpts,
        );
        const deployRunners = new DeployRunners(
            `${core.namePrefix}-${environment}-runners`,
            {
                region: config.region,
                accountId,
                environment,
                ci: ci.provider,
                ciUrl,
                project: ci.project,
                vpcId: net.vpcId,
                privateSubnetIds: net.privateSubnetIds,
                connectionArn: runners.connectionArn,
                roleNamePrefix: `${core.namePrefix}-deployer-runner`,
                computeType: runners.computeType,
                image: runners.image,
                buildTimeoutMinutes: runners.buildTimeoutMinutes,
                logRetentionDays: network.flowLogRetentionDays,
                kmsDeletionWindowDays: core.kmsDeletionWindowDays,
                protect,
            },
            envOpts,
        );
        // The cluster's service role: AWS-managed AmazonEKSClusterPolicy, which no workload boundary should have to mirror.
        const clusterServiceRole = new aws.iam.Role(
            `${core.namePrefix}-${environment}-eks-cluster`,
            {
                name: clusterServiceRoleName(clusterName),
                description: `${clusterName}: EKS cluster service role (created by the foundation; the deploy role passes it)`,
                assumeRolePolicy: toJson(
                    policyDocument({ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" }),
                ),
            },
            envOpts,
        );
        new aws.iam.RolePolicyAttachment(
            `${core.namePrefix}-${environment}-eks-cluster`,
            { role: clusterServiceRole.name, policyArn: managedPolicyArn("AmazonEKSClusterPolicy") },
            envOpts,
        );
        networks[environment] = pulumi
            .all([
                net.vpcId,
                pulumi.all(net.privateSubnetIds),
                pulumi.all(net.publicSubnetIds),
                deployRunners.securityGroupIds.deploy,
                deployRunners.securityGroupIds.preview,
                clusterServiceRole.name,
            ])
            .apply(([vpcId, privateSubnetIds, publicSubnetIds, deploySg, previewSg, clusterServiceRoleName]): FoundationNetworkOutput => ({
                clusterName,
                vpcId,
                vpcCidr: settings.vpcCidr,
                zones: net.zones,
                privateSubnetIds: [...privateSubnetIds],
                publicSubnetIds: [...publicSubnetIds],
                runnerSecurityGroupIds: [deploySg, previewSg],
                runnerTags: { deploy: deployRunners.tags.deploy, preview: deployRunners.tags.preview },
                clusterServiceRoleName,
            }));
    }

    return {
        previewRoleArn: deployer.previewRoleArn,
        deployRoleArns: deployer.deployRoleArns,
        audiences: deployer.audiences,
        stateBucket: deployer.stateBucket,
        stateUrl: deployer.stateUrl,
        // Where this stack's own state lives once it moved into the bucket it created: the same URL the platform stacks log into,
        // so a StackReference from them resolves in one backend (the rehearsal's stack-references check reads this output).
        backend: deployer.stateUrl,
        // What an administrator sets as CI/CD variables (docs/empty-account.md): name → value, per the CI system.
        ciVariables: pulumi
            .all([deployer.stateUrl, deployer.previewRoleArn, pulumi.all(deployer.deployRoleArns)])
            .apply(([stateUrl, previewRoleArn, deployRoleArns]) =>
                ciVariableValues(ci.provider, { stateUrl, previewRoleArn, deployRoleArns }),
            ),
        login: deployer.loginCommand,
        secretsProvider: deployer.secretsProvider,
        stackInit: pulumi.interpolate`pulumi stack init <stack> --secrets-provider '${deployer.secretsProvider}'`,
        networks,
        createdServiceLinkedRoles: serviceLinkedRoles.map((role) => role.name),
        securityHub: securityHub ? securityHub.arn : undefined,
    };
}
