import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Architecture, POOL_LABEL, POOLS } from "../shared/interfaces";
import { storageInstanceType } from "./instance-types";
import { ec2TrustPolicy, managedPolicyArn, toJson } from "../shared/iam-documents";

/** LVM names the storage nodes create on their data volume and LINSTOR's storage pool uses. */
export const STORAGE_POOL = "thinpool";
export const VOLUME_GROUP = "linstor_vg";

/** Root device of Canonical's Ubuntu EKS AMIs, and the device name the data volume is attached as. */
export const ROOT_DEVICE = "/dev/sda1";
export const DATA_DEVICE_NAME = "/dev/sdf";

/** Tag on every storage data volume, so a kept volume can be found after its node is gone. */
export const DATA_VOLUME_TAG = "ciplatform.io/linstor-data";

// SDK-free, so config validation can use it without loading the SDKs.
export { storageInstanceType } from "./instance-types";

/**
 * Canonical's public SSM parameter naming its current Ubuntu 24.04 EKS AMI for a Kubernetes
 * version and architecture (the parameter path Canonical documents for its EKS images).
 */
export function canonicalEksAmiParameter(kubernetesVersion: string, architecture: Architecture): string {
    return `/aws/service/canonical/ubuntu/eks/24.04/${kubernetesVersion}/stable/current/${architecture}/hvm/ebs-gp3/ami-id`;
}

/** Arguments of the storage node groups. */
export interface StorageNodesArgs {
    /** EKS cluster name. */
    readonly clusterName: string;
    /** API server endpoint and CA (base64) the nodes bootstrap against. */
    readonly clusterEndpoint: pulumi.Input<string>;
    readonly clusterCertificateAuthority: pulumi.Input<string>;
    /** Full AZ names, one node group each (three zones). */
    readonly zones: readonly string[];
    /** Private subnet of each zone, in `zones` order. */
    readonly subnetIds: readonly pulumi.Input<string>[];
    /** KMS key every storage node volume is encrypted with. */
    readonly volumeKeyArn: pulumi.Input<string>;
    /** Kubernetes minor version of the cluster (e.g. 1.33): which of Canonical's EKS AMIs the nodes run. */
    readonly kubernetesVersion: string;
    /** Canonical's Ubuntu 24.04 EKS AMI to run. @default - the current one from Canonical's public SSM parameter for `kubernetesVersion` and the architecture */
    readonly amiId?: string;
    /** Instance types without instance store, one architecture. @default ["m7g.xlarge"] */
    readonly instanceTypes?: readonly string[];
    /** Nodes in each zone. @default 1 */
    readonly nodesPerZone?: number;
    /** Size of each node's data volume (LINSTOR's thin pool), GiB. @default 200 */
    readonly dataVolumeGiB?: number;
    /** Size of each node's root volume, GiB. @default 50 */
    readonly rootVolumeGiB?: number;
    /** Tags for the instances and volumes the node groups launch. @default {} */
    readonly nodeTags?: Record<string, string>;
    /** Protect the node groups and their launch template from deletion. @default true */
    readonly protect?: boolean;
}

/** Validates the storage node arguments; messages name the argument, the value and what is allowed. */
export function validateStorageNodesArgs(
    args: Pick<StorageNodesArgs, "zones" | "subnetIds" | "amiId" | "instanceTypes" | "nodesPerZone" | "dataVolumeGiB">,
): string[] {
    const problems: string[] = [];
    if (args.zones.length !== 3 || new Set(args.zones).size !== 3) {
        problems.push(`zones: got ${JSON.stringify(args.zones)}; storage needs three distinct zones, one replica each`);
    }
    if (args.subnetIds.length !== args.zones.length) {
        problems.push(`subnetIds: got ${args.subnetIds.length}; give one private subnet per zone (${args.zones.length})`);
    }
    if (args.amiId !== undefined && !/^ami-[0-9a-f]{8,17}$/.test(args.amiId)) {
        problems.push(
            `amiId: got ${JSON.stringify(args.amiId)}; use the id (ami-...) of Canonical's Ubuntu 24.04 EKS AMI for the cluster version and architecture`,
        );
    }
    const architectures = new Set<Architecture>();
    for (const type of args.instanceTypes ?? []) {
        const result = storageInstanceType(type);
        if ("problem" in result) {
            problems.push(`instanceTypes: got ${JSON.stringify(type)}; ${result.problem}`);
        } else {
            architectures.add(result.architecture);
        }
    }
    if (architectures.size > 1) {
        problems.push(
            `instanceTypes: got ${JSON.stringify(args.instanceTypes)}; mix of arm64 and amd64, but one AMI serves one architecture`,
        );
    }
    if (args.nodesPerZone !== undefined && (!Number.isInteger(args.nodesPerZone) || args.nodesPerZone < 1 || args.nodesPerZone > 10)) {
        problems.push(`nodesPerZone: got ${args.nodesPerZone}; use an integer from 1 to 10`);
    }
    if (
        args.dataVolumeGiB !== undefined &&
        (!Number.isInteger(args.dataVolumeGiB) || args.dataVolumeGiB < 20 || args.dataVolumeGiB > 16_384)
    ) {
        problems.push(`dataVolumeGiB: got ${args.dataVolumeGiB}; use an integer from 20 to 16384`);
    }
    return problems;
}

export interface StorageUserDataInput {
    readonly clusterName: string;
    readonly endpoint: string;
    readonly certificateAuthority: string;
}

/** Where the storage node's boot script lives: cloud-init runs `scripts/per-boot` on every boot (cc_scripts_per_boot). */
export const STORAGE_BOOT_SCRIPT = "/var/lib/cloud/scripts/per-boot/ciplatform-storage";
/** The boot script's state: whether it upgraded the kernel, whether the node joined. */
export const STORAGE_BOOT_STATE = "/var/lib/ciplatform-storage";

/**
 * User data of a storage node (Ubuntu 24.04 EKS AMI): installs the boot script as a cloud-init
 * per-boot script and runs it. Steps that may fail transiently are retried and reported, never
 * fatal: the node always joins the cluster, and a missing header package shows up in the DRBD
 * module loader's log instead of a node that silently never registers.
 *
 * 1. Kernel headers for the running kernel (piraeus maps Ubuntu 24.04 to its `drbd9-noble` loader,
 *    which builds DRBD against them). A node replacing another boots the launch template's AMI,
 *    which may be months old; Ubuntu drops superseded kernels' header packages from the archive, so
 *    when the exact headers are gone the node installs the current AWS kernel with its headers
 *    (`linux-aws`, `linux-headers-aws`) and reboots into it, once; the script runs again on that
 *    boot and continues. Then the kernel packages are held, so an upgrade cannot leave the node on
 *    a kernel without headers.
 * 2. The data volume found by what it is, not by its NVMe name: the one EBS volume
 *    (`nvme-Amazon_Elastic_Block_Store_*`; instance-store disks are `Amazon_EC2_NVMe_Instance_Storage`)
 *    that is blank (no partitions, no holders). LVM volume group and thin pool on it, for LINSTOR.
 * 3. Bootstrap with the storage pool's label and taint, on the first boot that gets here.
 */
export function storageNodeUserData(input: StorageUserDataInput): string {
    const taint = POOLS.storage.taint;
    const kubeletArgs = `--node-labels=${POOL_LABEL}=${POOLS.storage.label} --register-with-taints=${taint.key}=${taint.value}:${taint.effect}`;
    const kernelPackages = "linux-aws linux-image-aws linux-headers-aws";
    const boot = [
        "#!/bin/bash",
        "# ciplatform storage node, every boot: DRBD headers, LINSTOR's thin pool on the EBS data volume, then join (once).",
        "set -u -o pipefail",
        'log() { echo "ciplatform-storage: $*" | systemd-cat -t ciplatform-storage -p warning; echo "ciplatform-storage: $*" >&2; }',
        "export DEBIAN_FRONTEND=noninteractive",
        `state=${STORAGE_BOOT_STATE}`,
        'mkdir -p "$state"',
        "",
        "# 1. Headers of the running kernel, for the DRBD module loader; keep that kernel.",
        'if [ ! -d "/lib/modules/$(uname -r)/build" ]; then',
        "  for attempt in 1 2 3 4 5; do",
        '    if apt-get update -q && apt-get install -y -q "linux-headers-$(uname -r)" lvm2; then break; fi',
        '    log "installing headers failed (attempt $attempt)"; sleep 15',
        "  done",
        "fi",
        'if [ ! -d "/lib/modules/$(uname -r)/build" ] && [ ! -e "$state/kernel-upgraded" ]; then',
        '  log "no headers for $(uname -r) in the archive (an older AMI): installing the current kernel with its headers, then rebooting into it"',
        `  apt-mark unhold ${kernelPackages} >/dev/null 2>&1 || true`,
        `  if apt-get install -y -q ${kernelPackages} lvm2; then touch "$state/kernel-upgraded"; systemctl reboot; exit 0; fi`,
        '  log "installing the current kernel failed"',
        "fi",
        'test -d "/lib/modules/$(uname -r)/build" || log "no headers for $(uname -r): DRBD cannot be built on this node"',
        `apt-mark hold ${kernelPackages} >/dev/null 2>&1 || true`,
        "",
        "# 2. The blank EBS data volume (never an instance-store disk) becomes LINSTOR's thin pool.",
        "data=''",
        "for link in /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_*; do",
        '  case "$link" in *-part*) continue ;; esac',
        '  dev="$(readlink -f "$link")"',
        '  [ -b "$dev" ] || continue',
        '  [ "$(lsblk -nro NAME "$dev" | wc -l)" = 1 ] || continue',
        '  [ -z "$(ls "/sys/class/block/${dev##*/}/holders" 2>/dev/null)" ] || continue',
        '  case " $data " in *" $dev "*) ;; *) data="${data:+$data }$dev" ;; esac',
        "done",
        `if vgs ${VOLUME_GROUP} >/dev/null 2>&1; then`,
        `  log "volume group ${VOLUME_GROUP} already present"`,
        'elif [ "$(echo $data | wc -w)" = 1 ]; then',
        `  pvcreate "$data" && vgcreate ${VOLUME_GROUP} "$data" && lvcreate --type thin-pool -l 95%FREE -n ${STORAGE_POOL} ${VOLUME_GROUP} || log "creating the thin pool on $data failed"`,
        "else",
        '  log "expected one blank EBS data volume, found: ${data:-none}; LINSTOR gets no storage on this node"',
        "fi",
        "",
        "# 3. Join the cluster as a storage node, once (the kubelet starts by itself on later boots).",
        '[ -e "$state/joined" ] && exit 0',
        `/etc/eks/bootstrap.sh '${input.clusterName}' --apiserver-endpoint '${input.endpoint}' --b64-cluster-ca '${input.certificateAuthority}' --kubelet-extra-args '${kubeletArgs}' && touch "$state/joined"`,
    ];
    return [
        "#!/bin/bash",
        "# ciplatform storage node: install the per-boot script (a kernel upgrade reboots midway), then run it.",
        `mkdir -p "$(dirname ${STORAGE_BOOT_SCRIPT})"`,
        `cat > ${STORAGE_BOOT_SCRIPT} <<'CIPLATFORM_STORAGE_BOOT'`,
        ...boot,
        "CIPLATFORM_STORAGE_BOOT",
        `chmod 0755 ${STORAGE_BOOT_SCRIPT}`,
        `exec ${STORAGE_BOOT_SCRIPT}`,
        "",
    ].join("\n");
}

/** A launch-template block device as the EC2 API takes it (booleans as strings). */
export interface StorageBlockDevice {
    readonly deviceName: string;
    readonly ebs: { volumeSize: number; volumeType: "gp3"; encrypted: "true"; kmsKeyId: string; deleteOnTermination: "true" | "false" };
}

/** The launch template's block devices: the root volume, and the data volume kept when the instance ends. */
export function storageBlockDevices(volumeKeyArn: string, rootVolumeGiB: number, dataVolumeGiB: number): StorageBlockDevice[] {
    const ebs = (size: number, deleteOnTermination: boolean): StorageBlockDevice["ebs"] => ({
        volumeSize: size,
        volumeType: "gp3",
        encrypted: "true",
        kmsKeyId: volumeKeyArn,
        deleteOnTermination: deleteOnTermination ? "true" : "false",
    });
    return [
        { deviceName: ROOT_DEVICE, ebs: ebs(rootVolumeGiB, true) },
        // Replicas live here: a terminated node leaves its volume behind (see docs/runbooks.md).
        { deviceName: DATA_DEVICE_NAME, ebs: ebs(dataVolumeGiB, false) },
    ];
}

/**
 * The storage nodes: one EKS managed node group per zone, each a fixed number of on-demand nodes
 * (min = desired = max), labelled and tainted as the storage pool, running Canonical's Ubuntu 24.04
 * EKS AMI so piraeus' supported DRBD loader (`drbd9-noble`) applies. Karpenter does not manage
 * them, so they are never consolidated, expired or drifted; EKS auto repair is off, and the node
 * groups ignore new launch-template versions: a node is replaced only by the runbook, one zone at a
 * time, after DRBD has resynced.
 */
export class StorageNodes extends pulumi.ComponentResource {
    /** Node group names by zone. */
    public readonly nodeGroupNames: Record<string, pulumi.Output<string>>;
    /** IAM role of the storage nodes. */
    public readonly nodeRoleArn: pulumi.Output<string>;
    /** Architecture of the storage nodes (from the instance types). */
    public readonly architecture: Architecture;

    constructor(name: string, args: StorageNodesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:storage:StorageNodes", name, {}, opts);
        const problems = validateStorageNodesArgs(args);
        if (problems.length > 0) {
            throw new Error(`StorageNodes ${name}: ${problems.join("; ")}`);
        }

        // Defaults, resolved once.
        const instanceTypes = [...(args.instanceTypes ?? ["m7g.xlarge"])];
        const nodesPerZone = args.nodesPerZone ?? 1;
        const dataVolumeGiB = args.dataVolumeGiB ?? 200;
        const rootVolumeGiB = args.rootVolumeGiB ?? 50;
        const nodeTags = args.nodeTags ?? {};
        const protect = args.protect ?? true;
        const first = storageInstanceType(instanceTypes[0]);
        this.architecture = "architecture" in first ? first.architecture : "arm64";
        // The node groups ignore new launch-template versions, so a newer current AMI only reaches nodes through the runbook's rolling.
        const imageId: pulumi.Input<string> =
            args.amiId ??
            aws.ssm.getParameterOutput({ name: canonicalEksAmiParameter(args.kubernetesVersion, this.architecture) }, { parent: this })
                .value;

        const role = new aws.iam.Role(
            `${name}-node`,
            { description: `${args.clusterName}: storage nodes (LINSTOR)`, assumeRolePolicy: toJson(ec2TrustPolicy()) },
            { parent: this },
        );
        const attachments = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"].map(
            (policy) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-node-${policy}`,
                    { role: role.name, policyArn: managedPolicyArn(policy) },
                    { parent: this },
                ),
        );

        const userData = pulumi
            .all([pulumi.output(args.clusterEndpoint), pulumi.output(args.clusterCertificateAuthority)])
            .apply(([endpoint, certificateAuthority]) =>
                Buffer.from(storageNodeUserData({ clusterName: args.clusterName, endpoint, certificateAuthority })).toString("base64"),
            );
        const launchTemplate = new aws.ec2.LaunchTemplate(
            `${name}-nodes`,
            {
                description: `${args.clusterName}: LINSTOR storage nodes (Ubuntu EKS, IMDSv2 only, CMK-encrypted volumes, data volume kept on termination)`,
                imageId: imageId,
                userData,
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                blockDeviceMappings: pulumi
                    .output(args.volumeKeyArn)
                    .apply((key) => storageBlockDevices(key, rootVolumeGiB, dataVolumeGiB)),
                tagSpecifications: [
                    { resourceType: "instance", tags: nodeTags },
                    { resourceType: "volume", tags: { ...nodeTags, [DATA_VOLUME_TAG]: args.clusterName } },
                ],
                updateDefaultVersion: true,
            },
            { parent: this, protect },
        );

        const taint = POOLS.storage.taint;
        this.nodeGroupNames = {};
        args.zones.forEach((zone, index) => {
            const nodeGroup = new aws.eks.NodeGroup(
                `${name}-${zone}`,
                {
                    clusterName: args.clusterName,
                    nodeRoleArn: role.arn,
                    subnetIds: [args.subnetIds[index]],
                    capacityType: "ON_DEMAND",
                    instanceTypes,
                    // A fixed set: nothing scales a storage zone up or down.
                    scalingConfig: { minSize: nodesPerZone, desiredSize: nodesPerZone, maxSize: nodesPerZone },
                    updateConfig: { maxUnavailable: 1 },
                    // Auto repair would replace a node without waiting for DRBD to resync.
                    nodeRepairConfig: { enabled: false },
                    forceUpdateVersion: false,
                    labels: { [POOL_LABEL]: POOLS.storage.label },
                    taints: [{ key: taint.key, value: taint.value, effect: "NO_SCHEDULE" }],
                    launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
                },
                // New launch-template versions are rolled out zone by zone by the runbook, not by `pulumi up`.
                { parent: this, protect, dependsOn: attachments, ignoreChanges: ["launchTemplate.version"] },
            );
            this.nodeGroupNames[zone] = nodeGroup.nodeGroupName;
        });

        this.nodeRoleArn = role.arn;
        this.registerOutputs({ nodeGroupNames: this.nodeGroupNames, nodeRoleArn: this.nodeRoleArn, architecture: this.architecture });
    }
}
