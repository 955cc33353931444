import { registerOutputs } from "../mocks";

/**
 * For the in-process mock runtime only (component tests): what a StackReference to the foundation
 * reads, shaped like the foundation program's outputs. The faithful plan instead plans the
 * referenced foundation stack itself (tools/offline/plan.ts).
 */
registerOutputs("pulumi:pulumi:StackReference", (args, ctx) => {
    const environments = ["dev", "staging", "prod"];
    const networks = Object.fromEntries(
        environments.map((environment, n) => [
            environment,
            {
                clusterName: `cip-${environment}`,
                vpcId: `vpc-0${n}${ctx.digest.slice(0, 15)}`,
                vpcCidr: `10.${n}.0.0/16`,
                zones: ["a", "b", "c"].map((z) => `${ctx.region}${z}`),
                privateSubnetIds: ["a", "b", "c"].map((z) => `subnet-private-${environment}-${z}`),
                publicSubnetIds: ["a", "b", "c"].map((z) => `subnet-public-${environment}-${z}`),
                runnerSecurityGroupIds: [`sg-deploy-${environment}`, `sg-preview-${environment}`],
                runnerTags: { deploy: `ciplatform-${environment}-deploy`, preview: `ciplatform-${environment}-preview` },
                clusterServiceRoleName: `cip-${environment}-eks-cluster`,
            },
        ]),
    );
    return {
        name: args.inputs.name,
        outputs: {
            networks,
            previewRoleArn: `arn:aws:iam::${ctx.accountId}:role/ciplatform-foundation/cip-deployer-preview`,
            deployRoleArns: Object.fromEntries(
                environments.map((e) => [e, `arn:aws:iam::${ctx.accountId}:role/ciplatform-foundation/cip-deployer-deploy-${e}`]),
            ),
        },
        secretOutputNames: [],
    };
});
