import { registerOutputs } from "../mocks";

// pulumi-eks' Cluster is a remote component: offline it is one resource whose outputs come from here.
registerOutputs("eks:index:Cluster", (args, ctx) => {
    const name = String(args.inputs.name ?? ctx.physicalName);
    const oidcId = ctx.digest.slice(0, 32).toUpperCase();
    const issuer = `oidc.eks.${ctx.region}.amazonaws.com/id/${oidcId}`;
    const endpoint = `https://${oidcId}.gr7.${ctx.region}.eks.amazonaws.com`;
    const certificateAuthority = Buffer.from(`offline-plan CA of ${name}`).toString("base64");
    const kubeconfig = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: endpoint, "certificate-authority-data": certificateAuthority } }],
        contexts: [{ name: "aws", context: { cluster: name, user: "aws" } }],
        "current-context": "aws",
        users: [
            {
                name: "aws",
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", name],
                    },
                },
            },
        ],
    };
    return {
        oidcIssuer: issuer,
        oidcProviderUrl: `https://${issuer}`,
        oidcProviderArn: `arn:aws:iam::${ctx.accountId}:oidc-provider/${issuer}`,
        kubeconfig,
        kubeconfigJson: JSON.stringify(kubeconfig),
        clusterSecurityGroupId: `sg-${ctx.digest.slice(0, 17)}`,
        eksCluster: {
            name,
            arn: `arn:aws:eks:${ctx.region}:${ctx.accountId}:cluster/${name}`,
            endpoint,
            version: args.inputs.version,
            certificateAuthority: { data: certificateAuthority },
            vpcConfig: { clusterSecurityGroupId: `sg-${ctx.digest.slice(17, 34)}` },
        },
    };
});
