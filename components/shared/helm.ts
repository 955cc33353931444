/** The one Helm pattern every chart follows: a pinned chart spec, pure values, user values merged last. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Where a chart comes from; `repository` is an HTTPS Helm repo or an `oci://` registry path. */
export interface ChartSpec {
    readonly chart: string;
    readonly version: string;
    readonly repository: string;
}

export type Values = { [key: string]: unknown };

function isPlainObject(value: unknown): value is Values {
    return value !== null && typeof value === "object" && !Array.isArray(value) && !pulumi.Output.isInstance(value);
}

/** Deep-merges `override` into `base` (objects merge, everything else is replaced). */
export function mergeValues(base: Values, override: Values = {}): Values {
    const merged: Values = { ...base };
    for (const [key, value] of Object.entries(override)) {
        merged[key] = isPlainObject(value) && isPlainObject(merged[key]) ? mergeValues(merged[key] as Values, value) : value;
    }
    return merged;
}

/** How a release waits: atomic (wait for every resource, roll back on failure) unless told otherwise. */
export interface ReleaseWait {
    /** Roll back when the release is not ready in time. @default true */
    readonly atomic?: boolean;
    /** Do not wait for the release's resources to become ready. @default false */
    readonly skipAwait?: boolean;
}

/** Release arguments for a chart: OCI charts are addressed by URL, others through their repository. */
export function releaseArgs(
    spec: ChartSpec,
    namespace: pulumi.Input<string>,
    values: pulumi.Input<Values>,
    wait: ReleaseWait = {},
): k8s.helm.v3.ReleaseArgs {
    const oci = spec.repository.startsWith("oci://");
    return {
        chart: oci ? `${spec.repository}/${spec.chart}` : spec.chart,
        version: spec.version,
        ...(oci ? {} : { repositoryOpts: { repo: spec.repository } }),
        namespace,
        values,
        atomic: wait.atomic ?? true,
        cleanupOnFail: true,
        timeout: 600,
        ...(wait.skipAwait ? { skipAwait: true } : {}),
    };
}
