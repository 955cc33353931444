import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Deployer } from "../components/foundation/deployer";
import { orgTagsTransformation } from "../components/shared/tags";
import { loadFoundationConfig, orgTags } from "./config";

/**
 * The foundation program (its own project, `foundation/`), once per account: CI identities and
 * the state backend. Validates the whole config first, then returns the stack outputs.
 */
export async function foundationProgram(): Promise<Record<string, unknown>> {
    const config = loadFoundationConfig();
    const { accountId } = await aws.getCallerIdentity();
    const { core, ci } = config;
    const tags = orgTags(core);
    const component = new Deployer(
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
            thirdParty: ci.thirdPartyAccountId ? { accountId: ci.thirdPartyAccountId, externalId: pulumi.secret(ci.thirdPartyExternalId) } : undefined,
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
