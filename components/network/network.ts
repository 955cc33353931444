import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, serviceTrustPolicy, toJson } from "../shared/iam-documents";
import { logsKeyPolicy } from "../shared/kms-policies";
import { subnetLayout } from "./cidrs";

/** Arguments of the platform VPC. */
export interface NetworkArgs {
    /** AWS region; zones are `<region><letter>`. */
    readonly region: string;
    /** Account id, for key and trust policies. */
    readonly accountId: string;
    /** IPv4 CIDR of the VPC (/16 to /20). @default "10.0.0.0/16" */
    readonly vpcCidr?: string;
    /** Zone letters of the three AZs. @default ["a", "b", "c"] */
    readonly availabilityZones?: readonly string[];
    /** One shared NAT gateway or one per AZ. @default "single" */
    readonly natGateways?: "single" | "perAz";
    /** Name of the EKS cluster the private subnets serve (Karpenter discovers them by it). */
    readonly clusterName: string;
    /** Flow log retention in days. @default 90 */
    readonly flowLogRetentionDays?: number;
    /** Days before a deleted KMS key is destroyed. @default 30 */
    readonly kmsDeletionWindowDays?: number;
    /** Protect the flow-log key from deletion. @default true */
    readonly protect?: boolean;
}

/** Validates network arguments; messages name the argument, the value and what is allowed. */
export function validateNetworkArgs(args: NetworkArgs): string[] {
    const problems: string[] = [];
    const zones = args.availabilityZones ?? ["a", "b", "c"];
    if (zones.length !== 3 || new Set(zones).size !== 3) {
        problems.push(`availabilityZones: got ${JSON.stringify(zones)}; needs three distinct zone letters`);
    }
    const prefix = Number((args.vpcCidr ?? "10.0.0.0/16").split("/")[1]);
    if (!(prefix >= 16 && prefix <= 20)) {
        problems.push(`vpcCidr: got ${JSON.stringify(args.vpcCidr)}; needs a prefix from /16 to /20`);
    }
    return problems;
}

/**
 * A VPC over three AZs: private subnets (nodes and pods, tagged for Karpenter discovery and
 * internal load balancers), public subnets (NAT and internet-facing load balancers), NAT gateways
 * and flow logs to a KMS-encrypted log group.
 */
export class Network extends pulumi.ComponentResource {
    /** VPC id. */
    public readonly vpcId: pulumi.Output<string>;
    /** Private subnet ids, one per AZ. */
    public readonly privateSubnetIds: pulumi.Output<string>[];
    /** Public subnet ids, one per AZ. */
    public readonly publicSubnetIds: pulumi.Output<string>[];
    /** Full AZ names in subnet order. */
    public readonly zones: string[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:network:Network", name, {}, opts);
        const problems = validateNetworkArgs(args);
        if (problems.length > 0) {
            throw new Error(`Network ${name}: ${problems.join("; ")}`);
        }

        // Defaults, resolved once.
        const vpcCidr = args.vpcCidr ?? "10.0.0.0/16";
        const letters = args.availabilityZones ?? ["a", "b", "c"];
        const natGateways = args.natGateways ?? "single";
        const flowLogRetentionDays = args.flowLogRetentionDays ?? 90;
        const deletionWindowInDays = args.kmsDeletionWindowDays ?? 30;
        const protect = args.protect ?? true;

        const layout = subnetLayout(vpcCidr, letters.length);
        this.zones = letters.map((l) => `${args.region}${l}`);
        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            { cidrBlock: vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: `${name}-vpc` } },
            { parent: this },
        );
        // The default security group of a VPC allows all traffic between members: close it.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, ingress: [], egress: [] }, { parent: this });
        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id }, { parent: this });

        const publicRoutes = new aws.ec2.RouteTable(
            `${name}-public`,
            { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }] },
            { parent: this },
        );
        const publicSubnets = letters.map((letter, i) => {
            const subnet = new aws.ec2.Subnet(
                `${name}-public-${letter}`,
                {
                    vpcId: vpc.id,
                    cidrBlock: layout.public[i],
                    availabilityZone: this.zones[i],
                    mapPublicIpOnLaunch: false,
                    tags: { Name: `${name}-public-${letter}`, "kubernetes.io/role/elb": "1" },
                },
                { parent: this },
            );
            new aws.ec2.RouteTableAssociation(
                `${name}-public-${letter}`,
                { subnetId: subnet.id, routeTableId: publicRoutes.id },
                { parent: this },
            );
            return subnet;
        });

        const natLetters = natGateways === "perAz" ? letters : letters.slice(0, 1);
        const nats = new Map(
            natLetters.map((letter) => {
                const eip = new aws.ec2.Eip(`${name}-nat-${letter}`, { domain: "vpc" }, { parent: this });
                const nat = new aws.ec2.NatGateway(
                    `${name}-nat-${letter}`,
                    { allocationId: eip.id, subnetId: publicSubnets[letters.indexOf(letter)].id, tags: { Name: `${name}-nat-${letter}` } },
                    { parent: this, dependsOn: [igw] },
                );
                return [letter, nat] as const;
            }),
        );

        const privateSubnets = letters.map((letter, i) => {
            const subnet = new aws.ec2.Subnet(
                `${name}-private-${letter}`,
                {
                    vpcId: vpc.id,
                    cidrBlock: layout.private[i],
                    availabilityZone: this.zones[i],
                    tags: {
                        Name: `${name}-private-${letter}`,
                        "kubernetes.io/role/internal-elb": "1",
                        "karpenter.sh/discovery": args.clusterName,
                    },
                },
                { parent: this },
            );
            const nat = nats.get(letter) ?? nats.get(natLetters[0]);
            const routes = new aws.ec2.RouteTable(
                `${name}-private-${letter}`,
                { vpcId: vpc.id, routes: nat ? [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }] : [] },
                { parent: this },
            );
            new aws.ec2.RouteTableAssociation(
                `${name}-private-${letter}`,
                { subnetId: subnet.id, routeTableId: routes.id },
                { parent: this },
            );
            return subnet;
        });

        // Flow logs: every accepted and rejected flow, to a log group encrypted with its own key.
        const key = new aws.kms.Key(
            `${name}-flow-logs`,
            {
                description: `${name}: encrypts VPC flow logs`,
                enableKeyRotation: true,
                deletionWindowInDays,
                policy: toJson(logsKeyPolicy(args.accountId, args.region)),
            },
            { parent: this, protect },
        );
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { name: `/ciplatform/${name}/vpc-flow-logs`, retentionInDays: flowLogRetentionDays, kmsKeyId: key.arn },
            { parent: this },
        );
        const role = new aws.iam.Role(
            `${name}-flow-logs`,
            { assumeRolePolicy: toJson(serviceTrustPolicy("vpc-flow-logs.amazonaws.com", args.accountId)) },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-flow-logs`,
            {
                role: role.id,
                policy: toJson(
                    policyDocument({
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
                    }),
                ),
            },
            { parent: this },
        );
        new aws.ec2.FlowLog(
            `${name}-flow-logs`,
            {
                vpcId: vpc.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: role.arn,
            },
            { parent: this },
        );

        this.vpcId = vpc.id;
        this.privateSubnetIds = privateSubnets.map((s) => s.id);
        this.publicSubnetIds = publicSubnets.map((s) => s.id);
        this.registerOutputs({
            vpcId: this.vpcId,
            privateSubnetIds: this.privateSubnetIds,
            publicSubnetIds: this.publicSubnetIds,
            zones: this.zones,
        });
    }
}
