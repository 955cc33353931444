import { z } from "zod";
import { defineSection } from "./define";
import { ipv4Cidr, logRetention } from "./network";
import { isInternetWide } from "../../policypack/lib/cidr";

const addonVersion = z.string().regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, "must be an exact EKS add-on version such as v1.20.1-eksbuild.3");
const roleArn = z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)");

/** The EKS cluster: version, endpoint exposure, admins, logs and the system node group. */
export const clusterSection = defineSection({
    prefix: "cluster",
    shape: {
        kubernetesVersion: z
            .string()
            .regex(/^1\.\d{2}$/, "must be a Kubernetes minor version such as 1.33")
            .default("1.33")
            .describe("Kubernetes version of the control plane (minor version, e.g. 1.33)."),
        endpointPublicAccess: z
            .boolean()
            .default(false)
            .describe("Expose the API server endpoint publicly as well as privately; needs clusterPublicAccessCidrs."),
        publicAccessCidrs: z
            .array(ipv4Cidr)
            .default([])
            .describe("CIDRs allowed to reach a public API endpoint; required when the endpoint is public, never 0.0.0.0/0."),
        adminRoleArns: z.array(roleArn).default([]).describe("IAM roles given cluster-admin through EKS access entries."),
        logRetentionDays: logRetention.default(90).describe("Retention of control-plane logs in days (a CloudWatch retention period)."),
        systemNodeInstanceTypes: z
            .array(z.string().regex(/^[a-z]+\d+g[a-z]*\.[a-z0-9]+$/, "must be a Graviton instance type such as t4g.medium or m7g.large"))
            .min(1)
            .default(["t4g.medium", "t4g.large"])
            .describe("Graviton instance types of the system node group (critical add-ons only)."),
        systemNodeCount: z
            .number()
            .int()
            .min(2)
            .max(10)
            .default(2)
            .describe("Nodes in the system node group (2-10; two keep add-ons available)."),
        vpcCniVersion: addonVersion
            .default("v1.20.1-eksbuild.3")
            .describe("Exact version of the vpc-cni add-on (for clusterKubernetesVersion; aws eks describe-addon-versions)."),
        kubeProxyVersion: addonVersion
            .default("v1.33.10-eksbuild.2")
            .describe("Exact version of the kube-proxy add-on (matches clusterKubernetesVersion)."),
        corednsVersion: addonVersion.default("v1.12.4-eksbuild.1").describe("Exact version of the coredns add-on."),
        ebsCsiDriverVersion: addonVersion.default("v1.61.1-eksbuild.1").describe("Exact version of the aws-ebs-csi-driver add-on."),
        podIdentityAgentVersion: addonVersion.default("v1.3.10-eksbuild.2").describe("Exact version of the eks-pod-identity-agent add-on."),
        loadBalancerControllerChartVersion: z
            .string()
            .regex(/^\d+\.\d+\.\d+$/, "must be an exact chart version such as 3.5.0")
            .default("3.5.0")
            .describe("Exact aws-load-balancer-controller chart version (the ingress controller of the platform's UIs)."),
    },
    check: (cluster) => {
        const issues: Array<{ field: "publicAccessCidrs"; message: string }> = [];
        if (cluster.endpointPublicAccess && cluster.publicAccessCidrs.length === 0) {
            issues.push({
                field: "publicAccessCidrs",
                message: "a public API endpoint needs an explicit CIDR allow-list; list the CIDRs or set clusterEndpointPublicAccess false",
            });
        }
        // The pack's own test of "open to the internet", so the config refuses exactly what the pack flags.
        const wide = cluster.publicAccessCidrs.filter(isInternetWide);
        if (wide.length > 0) {
            issues.push({
                field: "publicAccessCidrs",
                message: `must not contain ${wide.join(", ")} (prefixes shorter than /8, such as 0.0.0.0/0, open the endpoint to the internet): list the networks that administer the cluster, such as 203.0.113.0/24`,
            });
        }
        return issues;
    },
});
