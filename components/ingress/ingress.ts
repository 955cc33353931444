import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle, placementOn } from "../shared/interfaces";
import { mergeValues, releaseArgs, Values } from "../shared/helm";
import { irsaTrustPolicy, toJson } from "../shared/iam-documents";
import { loadBalancerControllerPermissions } from "./policy";

export const LOAD_BALANCER_CONTROLLER_CHART = {
    chart: "aws-load-balancer-controller",
    repository: "https://aws.github.io/eks-charts",
} as const;

const NAMESPACE = "kube-system";
const SERVICE_ACCOUNT = "aws-load-balancer-controller";

/** Arguments of the ingress layer. */
export interface IngressArgs {
    readonly cluster: ClusterHandle;
    readonly clusterName: string;
    readonly region: string;
    readonly accountId: string;
    /** VPC the load balancers go into (the controller's `--aws-vpc-id`: no IMDS lookup). */
    readonly vpcId: pulumi.Input<string>;
    /** Exact aws-load-balancer-controller chart version. */
    readonly chartVersion: string;
    /** Helm values merged last. @default {} */
    readonly values?: Values;
}

export interface LoadBalancerControllerValuesInput {
    readonly clusterName: string;
    readonly region: string;
    readonly vpcId: string;
    readonly roleArn: string;
}

/**
 * Chart values: IRSA, the VPC and region given (no IMDS), two replicas on the system nodes, Pod
 * Security "restricted" contexts (the chart's defaults lack seccomp and drop ALL), the `alb`
 * IngressClass, WAF/Shield integrations off (the IAM policy does not grant them), and no Service
 * mutator webhook (it would reject every Service while the controller is down).
 */
export function buildLoadBalancerControllerValues(input: LoadBalancerControllerValuesInput): Values {
    const placement = placementOn("system");
    return {
        clusterName: input.clusterName,
        region: input.region,
        vpcId: input.vpcId,
        replicaCount: 2,
        serviceAccount: { create: true, name: SERVICE_ACCOUNT, annotations: { "eks.amazonaws.com/role-arn": input.roleArn } },
        podSecurityContext: { fsGroup: 65534, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        securityContext: {
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
        ingressClass: "alb",
        createIngressClassResource: true,
        // The Service mutator webhook (chart 3.5.0 templates/webhook.yaml, `mservice.elbv2.k8s.aws`,
        // failurePolicy Fail) intercepts every Service creation in the cluster and rejects it while
        // the controller's pods are not running (aws-load-balancer-controller issue #4140), so every
        // other release installed beside it fails. The platform only uses Ingresses (class alb), never
        // Services of type LoadBalancer, so the webhook is not installed at all.
        enableServiceMutatorWebhook: false,
        enableShield: false,
        enableWaf: false,
        enableWafv2: false,
        nodeSelector: placement.nodeSelector,
        tolerations: placement.tolerations,
    };
}

/**
 * The AWS Load Balancer Controller: turns the platform's Ingresses (class `alb`) into load
 * balancers, with its own IRSA role limited to the load balancers and security groups it creates.
 * The platform's UIs ask for internal ALBs (`alb.ingress.kubernetes.io/scheme: internal`).
 */
export class Ingress extends pulumi.ComponentResource {
    /** IngressClass the platform's Ingresses use. */
    public readonly ingressClassName: string;
    /** The controller's IRSA role. */
    public readonly roleArn: pulumi.Output<string>;
    /** The controller's release: Ingresses wait for it. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: IngressArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:ingress:Ingress", name, {}, opts);
        this.ingressClassName = "alb";
        const role = new aws.iam.Role(
            `${name}-controller`,
            {
                description: "AWS Load Balancer Controller (IRSA): only the load balancers and security groups it creates",
                assumeRolePolicy: toJson(
                    pulumi
                        .all([args.cluster.oidcProviderArn, args.cluster.oidcIssuer])
                        .apply(([arn, issuer]) => irsaTrustPolicy(arn, issuer, NAMESPACE, SERVICE_ACCOUNT)),
                ),
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-controller`,
            {
                role: role.name,
                policy: toJson(
                    pulumi
                        .output(args.vpcId)
                        .apply((vpcId) => loadBalancerControllerPermissions(args.region, args.accountId, vpcId, args.clusterName)),
                ),
            },
            { parent: this },
        );
        const values = pulumi
            .all([role.arn, args.vpcId])
            .apply(([roleArn, vpcId]) =>
                mergeValues(
                    buildLoadBalancerControllerValues({ clusterName: args.clusterName, region: args.region, vpcId, roleArn }),
                    args.values,
                ),
            );
        const release = new k8s.helm.v3.Release(
            `${name}-controller`,
            releaseArgs({ ...LOAD_BALANCER_CONTROLLER_CHART, version: args.chartVersion }, NAMESPACE, values),
            {
                parent: this,
                provider: args.cluster.provider,
                // Its pods run on the system nodes: the atomic release waits for them and CoreDNS.
                dependsOn: [policy, ...args.cluster.systemReady],
            },
        );
        this.roleArn = role.arn;
        this.ready = [release];
        this.registerOutputs({ ingressClassName: this.ingressClassName, roleArn: this.roleArn });
    }
}
