import { createHash } from "node:crypto";
import { MOCK_ACCOUNT_ID, registerCall, registerOutputs } from "../mocks";
import { PLATFORM_SERVICE_LINKED_ROLES } from "../../../components/foundation/service-linked-roles";

// Account-level facts the program asks the AWS provider for.
registerCall("aws:index/getCallerIdentity:getCallerIdentity", (_args, ctx) => ({
    accountId: ctx.accountId,
    arn: `arn:aws:sts::${ctx.accountId}:assumed-role/offline-plan/session`,
    userId: "AROAOFFLINEPLAN:session",
    id: ctx.accountId,
}));
registerCall("aws:index/getRegion:getRegion", (_args, ctx) => ({
    name: ctx.region,
    region: ctx.region,
    id: ctx.region,
    endpoint: `ec2.${ctx.region}.amazonaws.com`,
    description: ctx.region,
}));
registerCall("aws:index/getPartition:getPartition", () => ({
    partition: "aws",
    id: "aws",
    dnsSuffix: "amazonaws.com",
    reverseDnsPrefix: "com.amazonaws",
}));
registerCall("aws:index/getAvailabilityZones:getAvailabilityZones", (_args, ctx) => ({
    names: ["a", "b", "c"].map((s) => `${ctx.region}${s}`),
    zoneIds: ["1", "2", "3"].map((n) => `${ctx.region.replace(/-/g, "").slice(0, 4)}-az${n}`),
    id: ctx.region,
}));

// Resource outputs whose shape differs from the generic `arn:aws:<service>:<region>:<account>:<kind>/<name>`.
registerOutputs("aws:iam/role:Role", (args, ctx) => {
    // A read (Role.get) names the role by its id.
    const name = String(args.inputs.name ?? (args.id || ctx.physicalName));
    return {
        name,
        arn: `arn:aws:iam::${ctx.accountId}:role${String(args.inputs.path ?? "/")}${name}`,
        uniqueId: `AROA${ctx.digest.slice(0, 17).toUpperCase()}`,
    };
});
// A service-linked role has the name and path AWS gives it (the rehearsal matches key policies' principals to it).
registerOutputs("aws:iam/serviceLinkedRole:ServiceLinkedRole", (args, ctx) => {
    const service = String(args.inputs.awsServiceName ?? "");
    const known = PLATFORM_SERVICE_LINKED_ROLES.find((r) => r.serviceName === service);
    const name = known ? `${known.roleName}${args.inputs.customSuffix ? `_${String(args.inputs.customSuffix)}` : ""}` : ctx.physicalName;
    const path = `/aws-service-role/${service}/`;
    return {
        name,
        path,
        arn: `arn:aws:iam::${ctx.accountId}:role${path}${name}`,
        uniqueId: `AROA${ctx.digest.slice(0, 17).toUpperCase()}`,
    };
});
registerOutputs("aws:iam/policy:Policy", (args, ctx) => {
    const name = String(args.inputs.name ?? ctx.physicalName);
    return { name, arn: `arn:aws:iam::${ctx.accountId}:policy${String(args.inputs.path ?? "/")}${name}` };
});
registerOutputs("aws:iam/user:User", (args, ctx) => {
    const name = String(args.inputs.name ?? ctx.physicalName);
    return { name, arn: `arn:aws:iam::${ctx.accountId}:user${String(args.inputs.path ?? "/")}${name}` };
});
registerOutputs("aws:iam/openIdConnectProvider:OpenIdConnectProvider", (args, ctx) => ({
    arn: `arn:aws:iam::${ctx.accountId}:oidc-provider/${String(args.inputs.url ?? "").replace(/^https:\/\//, "")}`,
}));
registerOutputs("aws:kms/key:Key", (_args, ctx) => {
    const keyId = [8, 4, 4, 4, 12]
        .reduce<{ parts: string[]; at: number }>(
            (acc, len) => ({ parts: [...acc.parts, ctx.digest.slice(acc.at, acc.at + len)], at: acc.at + len }),
            { parts: [], at: 0 },
        )
        .parts.join("-");
    return { id: keyId, keyId, arn: `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/${keyId}` };
});
registerOutputs("aws:kms/alias:Alias", (args, ctx) => ({
    arn: `arn:aws:kms:${ctx.region}:${ctx.accountId}:${String(args.inputs.name ?? `alias/${ctx.physicalName}`)}`,
}));
registerOutputs("aws:s3/bucket:Bucket", (args, ctx) => {
    const bucket = String(args.inputs.bucket ?? ctx.physicalName);
    return {
        id: bucket,
        bucket,
        arn: `arn:aws:s3:::${bucket}`,
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
        bucketRegionalDomainName: `${bucket}.s3.${ctx.region}.amazonaws.com`,
    };
});
registerOutputs("aws:s3/bucketV2:BucketV2", (args, ctx) => {
    const bucket = String(args.inputs.bucket ?? ctx.physicalName);
    return {
        id: bucket,
        bucket,
        arn: `arn:aws:s3:::${bucket}`,
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
        bucketRegionalDomainName: `${bucket}.s3.${ctx.region}.amazonaws.com`,
    };
});
registerOutputs("aws:sqs/queue:Queue", (args, ctx) => {
    const name = String(args.inputs.name ?? ctx.physicalName);
    return {
        name,
        arn: `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${name}`,
        url: `https://sqs.${ctx.region}.amazonaws.com/${ctx.accountId}/${name}`,
        id: `https://sqs.${ctx.region}.amazonaws.com/${ctx.accountId}/${name}`,
    };
});
registerOutputs("aws:cloudwatch/logGroup:LogGroup", (args, ctx) => {
    const name = String(args.inputs.name ?? ctx.physicalName);
    return { name, arn: `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${name}` };
});
registerOutputs("aws:secretsmanager/secret:Secret", (args, ctx) => {
    const name = String(args.inputs.name ?? ctx.physicalName);
    const arn = `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${name}-${ctx.digest.slice(0, 6)}`;
    return { name, arn, id: arn };
});

export { MOCK_ACCOUNT_ID };

// EC2 ids carry their kind's prefix, as the real ones do.
const EC2_ID_PREFIXES: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:ec2/flowLog:FlowLog": "fl",
};
for (const [type, prefix] of Object.entries(EC2_ID_PREFIXES)) {
    registerOutputs(type, (_args, ctx) => ({
        id: `${prefix}-${ctx.digest.slice(0, 17)}`,
        ...(type === "aws:ec2/launchTemplate:LaunchTemplate" ? { latestVersion: 1 } : {}),
    }));
}

// Public SSM parameters, e.g. Canonical's current EKS AMI id: a deterministic fake AMI of the parameter.
registerCall("aws:ssm/getParameter:getParameter", (args) => {
    const name = String(args.inputs.name);
    const digest = createHash("sha256").update(name).digest("hex");
    const value = name.endsWith("/ami-id") ? `ami-${digest.slice(0, 17)}` : `offline-${digest.slice(0, 12)}`;
    return {
        name,
        value,
        insecureValue: value,
        type: "String",
        version: 1,
        arn: `arn:aws:ssm:::parameter${name}`,
        id: name,
        withDecryption: true,
    };
});

// A fresh account: no service-linked role exists yet, so the foundation plans to create them.
registerCall("aws:iam/getRoles:getRoles", () => ({ arns: [], names: [], id: "roles" }));
// The IAM entity behind a session: an assumed role's ARN (with its path) or the user's own.
registerCall("aws:iam/getSessionContext:getSessionContext", (args) => {
    const arn = String(args.inputs.arn);
    const assumed = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
    return assumed
        ? {
              arn,
              issuerArn: `arn:aws:iam::${assumed[1]}:role/${assumed[2]}`,
              issuerId: "AROAOFFLINEPLAN",
              issuerName: assumed[2],
              sessionName: assumed[3],
              id: arn,
          }
        : { arn, issuerArn: arn, issuerId: "", issuerName: "", sessionName: "", id: arn };
});
