/** Subnet layout of the platform VPC: pure IPv4 arithmetic, tested without mocks. */

function toNumber(address: string): number {
    return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function toAddress(n: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

export interface SubnetLayout {
    /** One private subnet per zone: a quarter of the VPC each. */
    readonly private: string[];
    /** One public subnet per zone, carved from the last quarter (they only hold NAT gateways and load balancers). */
    readonly public: string[];
}

/** Splits a /16–/20 VPC into three private quarters and three public subnets in the fourth quarter. */
export function subnetLayout(vpcCidr: string, zones = 3): SubnetLayout {
    const [address, prefixText] = vpcCidr.split("/");
    const prefix = Number(prefixText);
    const size = 2 ** (32 - prefix);
    const base = toNumber(address) - (toNumber(address) % size);
    const quarter = size / 4;
    const publicSize = quarter / 4;
    return {
        private: Array.from({ length: zones }, (_, i) => `${toAddress(base + i * quarter)}/${prefix + 2}`),
        public: Array.from({ length: zones }, (_, i) => `${toAddress(base + 3 * quarter + i * publicSize)}/${prefix + 4}`),
    };
}
