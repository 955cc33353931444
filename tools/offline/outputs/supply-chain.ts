/**
 * Deterministic outputs of the supply chain's and findings' AWS resources, shaped as the provider
 * returns them: Signer profile ARNs are `arn:aws:signer:<region>:<account>:/signing-profiles/<name>`
 * (Service Authorization Reference, AWS Signer resource types), a name prefix gets 10 random
 * letters and digits (Signer names allow no hyphen); ECR repositories have a registry URL.
 */
import { registerOutputs } from "../mocks";

registerOutputs("aws:signer/signingProfile:SigningProfile", (args, ctx) => {
    const name = String(args.inputs.name ?? `${String(args.inputs.namePrefix ?? "profile_")}${ctx.digest.slice(0, 10).toUpperCase()}`);
    const arn = `arn:aws:signer:${ctx.region}:${ctx.accountId}:/signing-profiles/${name}`;
    const version = ctx.digest.slice(10, 20).toUpperCase();
    return {
        id: name,
        name,
        arn,
        version,
        versionArn: `${arn}/${version}`,
        status: "Active",
        platformDisplayName: "Notation for Container Registries",
    };
});
registerOutputs("aws:ecr/repository:Repository", (args, ctx) => {
    const name = String(args.inputs.name ?? ctx.physicalName);
    return {
        id: name,
        name,
        arn: `arn:aws:ecr:${ctx.region}:${ctx.accountId}:repository/${name}`,
        registryId: ctx.accountId,
        repositoryUrl: `${ctx.accountId}.dkr.ecr.${ctx.region}.amazonaws.com/${name}`,
    };
});
registerOutputs("aws:securityhub/account:Account", (_args, ctx) => ({
    id: ctx.accountId,
    arn: `arn:aws:securityhub:${ctx.region}:${ctx.accountId}:hub/default`,
}));
