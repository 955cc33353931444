import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle } from "../shared/interfaces";
import { mergeValues, releaseArgs, Values } from "../shared/helm";
import { irsaTrustPolicy, toJson } from "../shared/iam-documents";
import { platformNamespace } from "../shared/namespace";
import {
    buildFalcosidekickValues,
    buildFalcoValues,
    buildPolicyReporterValues,
    FALCO_CHART,
    FALCO_NAMESPACE,
    FALCO_PRIORITIES,
    FalcoPriority,
    FALCOSIDEKICK_CHART,
    FALCOSIDEKICK_NAMESPACE,
    FALCOSIDEKICK_RELEASE,
    POLICY_REPORTER_CHART,
    POLICY_REPORTER_NAMESPACE,
    POLICY_REPORTER_SERVICE_ACCOUNT,
} from "./values";
import { policyReporterPermissions } from "./policies";

/** Arguments of the findings pipeline. */
export interface FindingsArgs {
    readonly cluster: ClusterHandle;
    readonly region: string;
    readonly accountId: string;
    /** Lowest Falco priority that becomes a finding. @default "notice" */
    readonly falcoMinimumPriority?: FalcoPriority;
    /** Two replicas of Policy Reporter and Falcosidekick (prod). @default false */
    readonly highAvailability?: boolean;
    /** Exact chart versions. */
    readonly policyReporterChartVersion: string;
    readonly falcoChartVersion: string;
    readonly falcosidekickChartVersion: string;
    /** Policy-report CRDs come with Kyverno: the releases wait for it. @default [] */
    readonly reportCrds?: pulumi.Resource[];
    /** Helm values merged last, per chart. @default {} */
    readonly values?: { readonly policyReporter?: Values; readonly falco?: Values; readonly falcosidekick?: Values };
}

/**
 * Every policy and runtime finding into AWS Security Hub: Policy Reporter (its Security Hub target,
 * with its own IRSA role allowed only the three calls it makes) imports Kyverno's policy reports
 * and Falco's runtime events, which Falco (modern eBPF, on every node kind) sends to Falcosidekick
 * and Falcosidekick turns into policy reports (see values.ts for why that route).
 */
export class Findings extends pulumi.ComponentResource {
    /** Policy Reporter's IRSA role (Security Hub import, look-up and resolve only). */
    public readonly policyReporterRoleArn: pulumi.Output<string>;
    /** Namespaces of the pipeline. */
    public readonly namespaces: readonly string[];

    constructor(name: string, args: FindingsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:findings:Findings", name, {}, opts);
        const priority = args.falcoMinimumPriority ?? "notice";
        if (!(FALCO_PRIORITIES as readonly string[]).includes(priority)) {
            throw new Error(
                `Findings ${name}: falcoMinimumPriority: got ${JSON.stringify(priority)}; allowed: ${FALCO_PRIORITIES.join(", ")}`,
            );
        }
        const highAvailability = args.highAvailability ?? false;
        const k8sOpts = { parent: this, provider: args.cluster.provider };
        const crds = args.reportCrds ?? [];

        const role = new aws.iam.Role(
            `${name}-policy-reporter`,
            {
                description: "Policy Reporter (IRSA): import, look up and resolve this account's Security Hub findings, nothing else",
                assumeRolePolicy: toJson(
                    pulumi
                        .all([args.cluster.oidcProviderArn, args.cluster.oidcIssuer])
                        .apply(([arn, issuer]) => irsaTrustPolicy(arn, issuer, POLICY_REPORTER_NAMESPACE, POLICY_REPORTER_SERVICE_ACCOUNT)),
                ),
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-policy-reporter`,
            { role: role.name, policy: toJson(policyReporterPermissions(args.region, args.accountId)) },
            { parent: this },
        );
        const reporterNamespace = platformNamespace(`${name}-policy-reporter`, POLICY_REPORTER_NAMESPACE, "restricted", false, k8sOpts);
        new k8s.helm.v3.Release(
            `${name}-policy-reporter`,
            releaseArgs(
                { ...POLICY_REPORTER_CHART, version: args.policyReporterChartVersion },
                reporterNamespace.metadata.name,
                role.arn.apply((roleArn) =>
                    mergeValues(
                        buildPolicyReporterValues({ region: args.region, accountId: args.accountId, roleArn, highAvailability }),
                        args.values?.policyReporter,
                    ),
                ),
            ),
            { ...k8sOpts, dependsOn: [reporterNamespace, policy, ...crds] },
        );

        const sidekickNamespace = platformNamespace(`${name}-falcosidekick`, FALCOSIDEKICK_NAMESPACE, "restricted", false, k8sOpts);
        const sidekick = new k8s.helm.v3.Release(
            `${name}-falcosidekick`,
            {
                ...releaseArgs(
                    { ...FALCOSIDEKICK_CHART, version: args.falcosidekickChartVersion },
                    sidekickNamespace.metadata.name,
                    mergeValues(buildFalcosidekickValues(priority, highAvailability), args.values?.falcosidekick),
                ),
                name: FALCOSIDEKICK_RELEASE,
            },
            { ...k8sOpts, dependsOn: [sidekickNamespace, ...crds] },
        );
        const falcoNamespace = platformNamespace(`${name}-falco`, FALCO_NAMESPACE, "privileged", false, k8sOpts);
        new k8s.helm.v3.Release(
            `${name}-falco`,
            releaseArgs(
                { ...FALCO_CHART, version: args.falcoChartVersion },
                falcoNamespace.metadata.name,
                mergeValues(buildFalcoValues(priority), args.values?.falco),
            ),
            { ...k8sOpts, dependsOn: [falcoNamespace, sidekick] },
        );

        this.policyReporterRoleArn = role.arn;
        this.namespaces = [POLICY_REPORTER_NAMESPACE, FALCOSIDEKICK_NAMESPACE, FALCO_NAMESPACE];
        this.registerOutputs({ policyReporterRoleArn: this.policyReporterRoleArn, namespaces: this.namespaces });
    }
}
