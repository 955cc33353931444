import type { Architecture } from "../shared/architectures";

/**
 * Instance families with local instance-store disks: the `d` attribute (m6gd, c5d, r6id, x2gd,
 * z1d, ...), and the storage-optimised and dense families (i*, im*, is*, d*, h1). Storage nodes must
 * not have them: the data volume must be the CMK-encrypted EBS volume, never a local disk.
 */
const INSTANCE_TYPE = /^([a-z]+)(\d+)([a-z-]*)\.([a-z0-9]+)$/;

/** The architecture of an instance type, or a reason it cannot be a storage node. */
export function storageInstanceType(type: string): { architecture: Architecture } | { problem: string } {
    const match = INSTANCE_TYPE.exec(type);
    if (!match) {
        return { problem: "is not an EC2 instance type such as m7g.xlarge" };
    }
    const [, family, , attributes] = match;
    if (attributes.includes("d") || /^(i|im|is|d|h)$/.test(family)) {
        return {
            problem:
                "has instance-store disks; use a type without local disks (no `d` attribute, not i/d/h families), e.g. m7g.xlarge or m7i.xlarge",
        };
    }
    return { architecture: attributes.includes("g") ? "arm64" : "amd64" };
}
