/**
 * Pods an operator the platform installs creates from the objects the plan gives it. The piraeus
 * operator (at the chart version the plan pins) creates, from the LinstorCluster
 * (piraeus-operator `internal/controller/linstorcluster_controller.go`, base manifests under
 * `pkg/resources/cluster/`): the LINSTOR controller and CSI controller Deployments, the CSI node
 * and HA controller DaemonSets, each patched with `spec.nodeSelector` and `spec.nodeAffinity`,
 * their tolerations from the component's `podTemplate` (which replaces the base list) or the base
 * manifest's; and one satellite per node the cluster selects, with the `podTemplate` of every
 * LinstorSatelliteConfiguration whose `nodeSelector` matches the node (`linstorsatellite_controller.go`).
 */
import type { PlannedResource } from "../../offline/plan";
import type { PodSpecLike } from "../../render/pss";
import { isTree } from "../../render/values";
import { PIRAEUS_COMPONENTS, PIRAEUS_SATELLITE_BASE_TOLERATIONS, PiraeusComponent } from "../../../components/storage/objects";
import { chartNameOf } from "./charts";
import { NodeKind, Placement, requiredTermsOf, selectionMismatch, Toleration } from "./placement";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const LINSTOR_CLUSTER = "kubernetes:piraeus.io/v1:LinstorCluster";
const SATELLITE_CONFIGURATION = "kubernetes:piraeus.io/v1:LinstorSatelliteConfiguration";
const REPO = "piraeusdatastore/piraeus-operator";

/** Operator versions whose pod placement this model follows: podTemplate since v2.3; `spec.tolerations` from v2.9 changes it. */
export const PIRAEUS_MODELLED = { min: [2, 3], below: [2, 9] } as const;

export interface OperatorPod {
    /** The resource whose controller creates it (the LinstorCluster). */
    readonly urn: string;
    readonly name: string;
    readonly kind: "Deployment" | "DaemonSet";
    readonly namespace: string;
    readonly placement: Placement;
    /** Satellites: the node kinds it runs on, each with its own placement (configurations differ by node). */
    readonly perNodeKind?: (node: NodeKind) => Placement | undefined;
    /** What Pod Security sees: privileged containers and host paths, per the base manifests. */
    readonly spec: PodSpecLike;
    readonly source: string;
    /**
     * Why its resource's create waits for it, when it does: the LinstorCluster annotated
     * `pulumi.com/waitFor: condition=Available` is created once the LINSTOR controller answers.
     */
    readonly awaitedBy?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function mapOf(value: unknown): Record<string, string> {
    return isRecord(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)])) : {};
}

function podTemplateSpec(component: unknown): Record<string, unknown> | undefined {
    const c = isRecord(component) ? component : {};
    const t = isRecord(c.podTemplate) ? c.podTemplate : {};
    return isRecord(t.spec) ? t.spec : undefined;
}

const RESTRICTED_ISH = { capabilities: { drop: ["ALL"] } };
const HOST_PATH = [{ name: "host", hostPath: { path: "/dev" } }];

/** The Pod Security-relevant part of each component's base manifest. */
const SPECS: Record<PiraeusComponent | "satellite", PodSpecLike> = {
    controller: { containers: [{ name: "linstor-controller", securityContext: RESTRICTED_ISH }] },
    csiController: { containers: [{ name: "linstor-csi", securityContext: RESTRICTED_ISH }] },
    csiNode: {
        containers: [
            {
                name: "linstor-csi",
                securityContext: { ...RESTRICTED_ISH, privileged: true, capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } },
            },
        ],
        volumes: HOST_PATH,
    },
    highAvailabilityController: {
        containers: [{ name: "ha-controller", securityContext: { privileged: true } }],
    },
    satellite: {
        initContainers: [{ name: "drbd-module-loader", securityContext: { privileged: true } }],
        containers: [{ name: "linstor-satellite", securityContext: { privileged: true } }],
        volumes: HOST_PATH,
    },
};

function version(v: string): [number, number] {
    const [major, minor] = v
        .replace(/^v/, "")
        .split(".")
        .map((p) => Number.parseInt(p, 10) || 0);
    return [major ?? 0, minor ?? 0];
}

function inRange(v: string): boolean {
    const [major, minor] = version(v);
    const below = (a: readonly number[], b: readonly number[]): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
    return !below([major, minor], PIRAEUS_MODELLED.min) && below([major, minor], PIRAEUS_MODELLED.below);
}

/** The pods the piraeus operator creates, or why they cannot be modelled. */
export function piraeusPods(resources: readonly PlannedResource[]): { pods: OperatorPod[]; problems: Array<{ urn: string; why: string }> } {
    const release = resources.find((r) => r.type === RELEASE && chartNameOf(String(r.inputs.chart ?? "")) === "piraeus");
    const clusters = resources.filter((r) => r.type === LINSTOR_CLUSTER);
    if (clusters.length === 0) return { pods: [], problems: [] };
    const operatorVersion = String(release?.inputs.version ?? "");
    const at = `${REPO} v${operatorVersion.replace(/^v/, "")}`;
    if (!release || !inRange(operatorVersion)) {
        return {
            pods: [],
            problems: clusters.map((c) => ({
                urn: c.urn,
                why: release
                    ? `no model of the pods the piraeus operator ${operatorVersion} creates (modelled: v${PIRAEUS_MODELLED.min.join(".")} to below v${PIRAEUS_MODELLED.below.join(".")}; v2.9 adds spec.tolerations): read internal/controller/linstorcluster_controller.go at that version and extend tools/rehearse/scheduling/operators.ts`
                    : "a LinstorCluster but no piraeus operator release: nothing creates its pods",
            })),
        };
    }
    const namespace = String(release.inputs.namespace ?? "default");
    const configurations = resources.filter((r) => r.type === SATELLITE_CONFIGURATION).sort((a, b) => satName(a).localeCompare(satName(b)));
    const pods: OperatorPod[] = [];
    for (const c of clusters) {
        const spec = isRecord(c.inputs.spec) ? c.inputs.spec : {};
        const nodeSelector = mapOf(spec.nodeSelector);
        const requiredTerms = isRecord(spec.nodeAffinity)
            ? requiredTermsOf({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: spec.nodeAffinity } })
            : undefined;
        const external = isRecord(spec.externalController);
        const metadata = isRecord(c.inputs.metadata) ? c.inputs.metadata : {};
        const waitFor = isRecord(metadata.annotations) ? metadata.annotations["pulumi.com/waitFor"] : undefined;
        for (const [component, facts] of Object.entries(PIRAEUS_COMPONENTS) as Array<
            [PiraeusComponent, (typeof PIRAEUS_COMPONENTS)[PiraeusComponent]]
        >) {
            const componentSpec = isRecord(spec[component]) ? spec[component] : {};
            if (componentSpec.enabled === false || (component === "controller" && external)) continue;
            const template = podTemplateSpec(componentSpec);
            const tolerations = Array.isArray(template?.tolerations) ? (template.tolerations as Toleration[]) : [...facts.baseTolerations];
            pods.push({
                urn: c.urn,
                name: `${facts.kind} ${facts.name} (piraeus operator)`,
                kind: facts.kind,
                namespace,
                placement: { nodeSelector: { ...nodeSelector, ...mapOf(template?.nodeSelector) }, tolerations, requiredTerms },
                spec: SPECS[component],
                source: `${at} ${facts.source}, internal/controller/linstorcluster_controller.go`,
                // Available needs the LINSTOR controller running (piraeus-operator docs/reference/linstorcluster.md, conditions).
                ...(component === "controller" && typeof waitFor === "string"
                    ? { awaitedBy: `the LinstorCluster's pulumi.com/waitFor ${waitFor} (@pulumi/kubernetes 4.34.2 await annotations)` }
                    : {}),
            });
        }
        // One satellite per selected node; its configuration depends on the node's labels.
        const satellitePlacement = (node: NodeKind): Placement | undefined => {
            let tolerations: readonly Toleration[] = PIRAEUS_SATELLITE_BASE_TOLERATIONS;
            for (const conf of configurations) {
                const confSpec = isRecord(conf.inputs.spec) ? conf.inputs.spec : {};
                const matches = selectionMismatch({ nodeSelector: mapOf(confSpec.nodeSelector), tolerations: [] }, node).length === 0;
                const t = podTemplateSpec(confSpec);
                if (matches && Array.isArray(t?.tolerations)) tolerations = t.tolerations as Toleration[];
            }
            return { nodeSelector, tolerations, requiredTerms };
        };
        pods.push({
            urn: c.urn,
            name: "DaemonSet linstor-satellite (piraeus operator, one per selected node)",
            kind: "DaemonSet",
            namespace,
            placement: { nodeSelector, tolerations: PIRAEUS_SATELLITE_BASE_TOLERATIONS, requiredTerms },
            perNodeKind: satellitePlacement,
            spec: SPECS.satellite,
            source: `${at} pkg/resources/satellite/satellite/daemonset.yaml, internal/controller/linstorcluster_controller.go (satellites on spec.nodeSelector)`,
        });
    }
    return { pods, problems: [] };
}

function satName(r: PlannedResource): string {
    const metadata = isTree(r.inputs.metadata) ? r.inputs.metadata : {};
    return String(metadata.name ?? r.name);
}
