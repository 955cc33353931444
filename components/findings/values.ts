/**
 * Chart values of the findings pipeline, as pure builders (its IAM is in policies.ts).
 *
 * Path of a finding: Kyverno writes PolicyReports; Falco sends runtime events to Falcosidekick,
 * whose `policyreport` output writes them as PolicyReports too (falcosecurity/falcosidekick
 * outputs/policyreport.go; chart 0.14.0 `config.policyreport`); Policy Reporter's Security Hub
 * target imports every failing result as an ASFF finding and resolves it when the report clears
 * (kyverno/policy-reporter pkg/target/securityhub/securityhub.go). Falcosidekick has no Security
 * Hub output of its own (its AWS outputs are CloudWatch Logs, Lambda, SNS, SQS, S3, Kinesis and
 * Security Lake: charts/falcosidekick 0.14.0 values.yaml `config.aws`), so runtime events take the
 * one upstream route into Security Hub there is, and Falcosidekick needs no AWS permission at all.
 */
import { Values } from "../shared/helm";
import { placementOn, POOLS, PoolName } from "../shared/interfaces";

/** Falco priorities, highest first, as Falco and Falcosidekick name them. */
export const FALCO_PRIORITIES = ["emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug"] as const;
export type FalcoPriority = (typeof FALCO_PRIORITIES)[number];

export const POLICY_REPORTER_CHART = { chart: "policy-reporter", repository: "https://kyverno.github.io/policy-reporter" } as const;
export const FALCO_CHART = { chart: "falco", repository: "https://falcosecurity.github.io/charts" } as const;
export const FALCOSIDEKICK_CHART = { chart: "falcosidekick", repository: "https://falcosecurity.github.io/charts" } as const;

export const POLICY_REPORTER_NAMESPACE = "policy-reporter";
/** The chart's service account (`fullnameOverride: policy-reporter` is the chart default). */
export const POLICY_REPORTER_SERVICE_ACCOUNT = "policy-reporter";
/** Falco needs kernel access: its namespace is privileged by design, and holds nothing else. */
export const FALCO_NAMESPACE = "falco";
export const FALCOSIDEKICK_NAMESPACE = "falcosidekick";
/** Release name = chart name: the chart's Service is `falcosidekick`, listening on 2801. */
export const FALCOSIDEKICK_RELEASE = "falcosidekick";
export const FALCOSIDEKICK_URL = `http://${FALCOSIDEKICK_RELEASE}.${FALCOSIDEKICK_NAMESPACE}.svc.cluster.local:2801`;

const RESTRICTED_POD = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } as const;
const RESTRICTED_CONTAINER = {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
} as const;

export interface PolicyReporterValuesInput {
    readonly region: string;
    readonly accountId: string;
    readonly roleArn: string;
    readonly highAvailability: boolean;
}

/** Policy Reporter: the Security Hub target through IRSA (no keys), on the system nodes, restricted. */
export function buildPolicyReporterValues(input: PolicyReporterValuesInput): Values {
    const placement = placementOn("system");
    return {
        replicaCount: input.highAvailability ? 2 : 1,
        serviceAccount: {
            create: true,
            name: POLICY_REPORTER_SERVICE_ACCOUNT,
            annotations: { "eks.amazonaws.com/role-arn": input.roleArn },
        },
        podSecurityContext: { ...RESTRICTED_POD, fsGroup: 1234 },
        nodeSelector: placement.nodeSelector,
        tolerations: placement.tolerations,
        target: {
            securityHub: {
                region: input.region,
                accountId: input.accountId,
                productName: "Policy Reporter",
                companyName: "ciplatform",
                // Resolved in Security Hub when the report clears; existing results are sent once at start.
                synchronize: true,
                skipExistingOnStartup: false,
                minimumSeverity: "",
            },
        },
    };
}

/** Falcosidekick: events into PolicyReports (Kubernetes only, no cloud credentials), on the system nodes, restricted. */
export function buildFalcosidekickValues(minimumPriority: string, highAvailability: boolean): Values {
    const placement = placementOn("system");
    return {
        replicaCount: highAvailability ? 2 : 1,
        podSecurityContext: { ...RESTRICTED_POD, runAsUser: 1234, fsGroup: 1234 },
        securityContext: RESTRICTED_CONTAINER,
        nodeSelector: placement.nodeSelector,
        tolerations: placement.tolerations,
        config: { policyreport: { enabled: true, minimumpriority: minimumPriority, maxevents: 1000, prunebypriority: true } },
    };
}

/** Tolerations for every pool's taint: Falco watches every node kind the platform runs (system, general, CI, storage). */
export function everyPoolTolerations(): Array<{ key: string; operator: "Equal"; value: string; effect: string }> {
    return (Object.keys(POOLS) as PoolName[]).flatMap((pool) => placementOn(pool).tolerations);
}

/** Falco: modern eBPF with capabilities instead of a privileged container, a DaemonSet on every node, JSON events to Falcosidekick. */
export function buildFalcoValues(minimumPriority: string): Values {
    return {
        driver: { kind: "modern_ebpf", modernEbpf: { leastPrivileged: true } },
        tolerations: everyPoolTolerations(),
        falcosidekick: { enabled: false },
        falco: {
            json_output: true,
            json_include_output_property: true,
            priority: minimumPriority,
            http_output: { enabled: true, url: FALCOSIDEKICK_URL },
        },
    };
}
