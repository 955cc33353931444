/** Jenkins chart values and JCasC, as pure builders (YAML through a serialiser, never by hand). */
import * as YAML from "yaml";
import { Architecture, placementOn } from "../shared/interfaces";
import { Values } from "../shared/helm";

/** LINSTOR's HA controller moves pods with this label off a node that lost its storage, fast. */
export const HA_CONTROLLER_LABEL = { "linstor.csi.linbit.com/on-storage-lost": "remove" } as const;

export const AGENT_IMAGE = "jenkins/inbound-agent:3327.v868139a_d00e0-1";

/**
 * One agent pod template per architecture, on CI nodes of that architecture. The capacity type is
 * left to the CI NodePool, which prefers Spot and falls back to on-demand: pinning Spot here would
 * leave agents Pending whenever Spot is short.
 */
export function agentPodTemplate(architecture: Architecture): string {
    const placement = placementOn("ci", architecture);
    const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { annotations: { "karpenter.sh/do-not-disrupt": "true" } },
        spec: {
            nodeSelector: placement.nodeSelector,
            tolerations: placement.tolerations,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
            automountServiceAccountToken: false,
        },
    };
    return YAML.stringify([
        {
            name: `agent-${architecture}`,
            label: `${architecture} linux-${architecture}`,
            nodeUsageMode: "EXCLUSIVE",
            yamlMergeStrategy: "merge",
            yaml: YAML.stringify(pod),
            containers: [
                {
                    name: "jnlp",
                    image: AGENT_IMAGE,
                    resourceRequestCpu: "500m",
                    resourceRequestMemory: "1Gi",
                    resourceLimitCpu: "2",
                    resourceLimitMemory: "4Gi",
                },
            ],
        },
    ]);
}

/** JCasC: the CSRF crumb issuer on, and the system message naming the platform. */
export function securityConfigScript(): string {
    return YAML.stringify({
        jenkins: {
            crumbIssuer: { standard: { excludeClientIPFromCrumb: false } },
            systemMessage: "ciplatform Jenkins: configuration as code, changes through the repository",
        },
    });
}

const RESTRICTED_CONTAINER = {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
} as const;
/** The controller pod: Jenkins' uid 1000, its home group-owned, seccomp on (Pod Security "restricted"). */
export const CONTROLLER_POD_SECURITY_CONTEXT = {
    runAsUser: 1000,
    runAsGroup: 1000,
    runAsNonRoot: true,
    fsGroup: 1000,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
} as const;
/** The controller's `init` and `jenkins` containers (the chart's defaults lack seccomp and drop ALL). */
export const CONTROLLER_CONTAINER_SECURITY_CONTEXT = { ...RESTRICTED_CONTAINER, runAsUser: 1000, runAsGroup: 1000 } as const;

/** Internal ALB, HTTPS only with a modern TLS policy, forwarding to the pod IP. */
export function jenkinsIngressAnnotations(certificateArn: string): Record<string, string> {
    return {
        "alb.ingress.kubernetes.io/scheme": "internal",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
        "alb.ingress.kubernetes.io/certificate-arn": certificateArn,
        "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "alb.ingress.kubernetes.io/healthcheck-path": "/login",
    };
}

export interface JenkinsValuesInput {
    readonly hostname: string;
    readonly storageClass: string;
    readonly homeSizeGiB: number;
    readonly adminSecretName: string;
    /** IngressClass of the AWS Load Balancer Controller. */
    readonly ingressClassName: string;
    /** ACM certificate (issued by the private CA) the load balancer presents. */
    readonly certificateArn: string;
    readonly architectures: readonly Architecture[];
    /** IRSA role of the controller, when it may assume deploy roles. */
    readonly controllerRoleArn?: string;
    /** Keep the home volume claim when the release is removed. */
    readonly keepHome: boolean;
}

/**
 * Where the controller runs: on the storage nodes. Its home is a LINSTOR volume, which attaches only
 * where a satellite (and so DRBD) runs, and satellites run only on the storage node groups, whose
 * Ubuntu image has the supported DRBD loader. There it reads its local replica, and the HA
 * controller moves it to another zone's storage node (which holds another replica) if its node fails.
 * Running diskless satellites on Karpenter's AL2023 nodes instead would need DRBD on an image piraeus
 * has no loader for.
 */
export function controllerPlacement(): ReturnType<typeof placementOn> {
    return placementOn("storage");
}

export function buildJenkinsValues(input: JenkinsValuesInput): Values {
    const placement = controllerPlacement();
    return {
        fullnameOverride: "jenkins",
        controller: {
            // Chart 5.9.53 projects the admin Secret into the controller only when createSecret is
            // true; with existingSecret set it creates no Secret of its own and mounts ours.
            admin: {
                existingSecret: input.adminSecretName,
                userKey: "jenkins-admin-user",
                passwordKey: "jenkins-admin-password",
                createSecret: true,
            },
            podSecurityContextOverride: { ...CONTROLLER_POD_SECURITY_CONTEXT },
            containerSecurityContext: { ...CONTROLLER_CONTAINER_SECURITY_CONTEXT, capabilities: { drop: ["ALL"] } },
            sidecars: { configAutoReload: { containerSecurityContext: { ...RESTRICTED_CONTAINER, capabilities: { drop: ["ALL"] } } } },
            // The chart's helm-test pod has no security context; Pulumi never runs it.
            testEnabled: false,
            podLabels: { ...HA_CONTROLLER_LABEL },
            nodeSelector: placement.nodeSelector,
            tolerations: placement.tolerations,
            JCasC: { defaultConfig: true, configScripts: { security: securityConfigScript() } },
            // Reached through an internal ALB (AWS Load Balancer Controller); TLS ends there with an
            // ACM certificate issued by the private CA, and the ALB forwards to the pod in the VPC.
            ingress: {
                enabled: true,
                ingressClassName: input.ingressClassName,
                hostName: input.hostname,
                annotations: jenkinsIngressAnnotations(input.certificateArn),
                tls: [{ hosts: [input.hostname] }],
            },
            resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } },
        },
        agent: {
            enabled: true,
            // The kubernetes plugin adds the restricted security context to every agent container.
            restrictedPssSecurityContext: true,
            podTemplates: Object.fromEntries(input.architectures.map((arch) => [`agent-${arch}`, agentPodTemplate(arch)])),
        },
        persistence: {
            enabled: true,
            storageClass: input.storageClass,
            size: `${input.homeSizeGiB}Gi`,
            accessMode: "ReadWriteOnce",
            annotations: input.keepHome ? { "helm.sh/resource-policy": "keep" } : {},
        },
        serviceAccount: {
            create: true,
            name: "jenkins",
            annotations: input.controllerRoleArn ? { "eks.amazonaws.com/role-arn": input.controllerRoleArn } : {},
        },
    };
}
