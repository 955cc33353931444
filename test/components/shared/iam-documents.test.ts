/**
 * The shared IAM document builders (components/shared/iam-documents.ts) and the permissions-boundary transformation
 * (components/shared/boundary.ts), called directly and, for trust and bucket policies, evaluated by the IAM simulator:
 * the intended caller is allowed and the nearest other caller is not.
 */
import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import { permissionsBoundaryTransformation } from "../../../components/shared/boundary";
import {
    denyInsecureTransport,
    ec2TrustPolicy,
    irsaTrustPolicy,
    managedPolicyArn,
    policyDocument,
    serviceTrustPolicy,
} from "../../../components/shared/iam-documents";
import { simulate, simulateWebIdentity } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/target`;

describe("shared IAM documents (components/shared/iam-documents.ts)", () => {
    it("IRSA trust: only the named service accounts of the namespace, only with the STS audience, only through the cluster's provider", async () => {
        const one = irsaTrustPolicy(PROVIDER, ISSUER, "karpenter", "karpenter");
        const as = (trust: typeof one, sub: string, aud = "sts.amazonaws.com", federated = PROVIDER) =>
            simulateWebIdentity(trust, ISSUER, { sub, aud }, federated);
        assert.equal(await as(one, "system:serviceaccount:karpenter:karpenter"), "Allowed");
        assert.equal(await as(one, "system:serviceaccount:karpenter:other"), "ImplicitlyDenied");
        assert.equal(await as(one, "system:serviceaccount:kube-system:karpenter"), "ImplicitlyDenied");
        assert.equal(await as(one, "system:serviceaccount:karpenter:karpenter", "other"), "ImplicitlyDenied");
        assert.equal(
            await as(one, "system:serviceaccount:karpenter:karpenter", "sts.amazonaws.com", `arn:aws:iam::${ACCOUNT}:oidc-provider/other`),
            "ImplicitlyDenied",
        );
        // One subject is a string (as IAM returns it, so the plan shows no diff), several a list.
        assert.equal(one.Statement[0].Condition?.StringEquals[`${ISSUER}:sub`], "system:serviceaccount:karpenter:karpenter");
        const two = irsaTrustPolicy(PROVIDER, ISSUER, "ci", ["a", "b"]);
        assert.deepEqual(two.Statement[0].Condition?.StringEquals[`${ISSUER}:sub`], [
            "system:serviceaccount:ci:a",
            "system:serviceaccount:ci:b",
        ]);
        assert.equal(await as(two, "system:serviceaccount:ci:b"), "Allowed");
        assert.equal(await as(two, "system:serviceaccount:ci:c"), "ImplicitlyDenied");
        assert.equal(two.Version, "2012-10-17");
    });

    it("service trust: the service, for this account's requests only; EC2 (which sends no source account) for any", async () => {
        const trust = serviceTrustPolicy("codebuild.amazonaws.com", ACCOUNT);
        const assume = (policy: typeof trust, principal: string, context: Record<string, string> = {}) =>
            simulate({ resourcePolicy: policy, action: "sts:AssumeRole", principal, resource: ROLE, context });
        assert.equal(await assume(trust, "codebuild.amazonaws.com", { "aws:SourceAccount": ACCOUNT }), "Allowed");
        assert.equal(await assume(trust, "codebuild.amazonaws.com", { "aws:SourceAccount": "210987654321" }), "ImplicitlyDenied");
        assert.equal(await assume(trust, "codebuild.amazonaws.com"), "ImplicitlyDenied");
        assert.equal(await assume(trust, "lambda.amazonaws.com", { "aws:SourceAccount": ACCOUNT }), "ImplicitlyDenied");
        assert.equal(
            await simulate({
                resourcePolicy: trust,
                action: "sts:AssumeRoleWithWebIdentity",
                principal: "codebuild.amazonaws.com",
                resource: ROLE,
                context: { "aws:SourceAccount": ACCOUNT },
            }),
            "ImplicitlyDenied",
        );
        const ec2 = ec2TrustPolicy();
        assert.equal(await assume(ec2, "ec2.amazonaws.com"), "Allowed");
        assert.equal(await assume(ec2, "lambda.amazonaws.com"), "ImplicitlyDenied");
        assert.deepEqual(Object.keys(ec2.Statement[0]).sort(), ["Action", "Effect", "Principal"]);
    });

    it("deny insecure transport: any caller without TLS is denied the action, with TLS the bucket policy's allow stands", async () => {
        const bucket = "arn:aws:s3:::cip-dev-dr";
        const statement = denyInsecureTransport("s3:*", [bucket, `${bucket}/*`]);
        assert.equal(statement.Sid, "DenyInsecureTransport");
        const policy = policyDocument(
            {
                Sid: "Reader",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/reader` },
                Action: "s3:GetObject",
                Resource: `${bucket}/*`,
            },
            statement,
        );
        const get = (secure: string, resource = `${bucket}/snap`) =>
            simulate({
                resourcePolicy: policy,
                action: "s3:GetObject",
                principal: `arn:aws:iam::${ACCOUNT}:role/reader`,
                resource,
                context: { "aws:SecureTransport": secure },
            });
        assert.equal(await get("true"), "Allowed");
        assert.equal(await get("false"), "ExplicitlyDenied");
        assert.equal(await get("false", "arn:aws:s3:::other/snap"), "ImplicitlyDenied");
        assert.equal(
            await simulate({
                resourcePolicy: policyDocument(denyInsecureTransport("sqs:*", ["*"])),
                action: "sqs:SendMessage",
                principal: `arn:aws:iam::${ACCOUNT}:role/x`,
                resource: `arn:aws:sqs:eu-west-1:${ACCOUNT}:q`,
                context: { "aws:SecureTransport": "false" },
            }),
            "ExplicitlyDenied",
        );
        assert.equal(managedPolicyArn("AmazonEKSWorkerNodePolicy"), "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy");
    });
});

describe("permissions-boundary transformation (components/shared/boundary.ts)", () => {
    const transform = permissionsBoundaryTransformation("arn:aws:iam::123456789012:policy/cip-dev-workload-boundary");
    const args = (type: string, props: Record<string, unknown>): pulumi.ResourceTransformationArgs =>
        ({ type, name: "x", props, opts: { parent: undefined } }) as unknown as pulumi.ResourceTransformationArgs;

    it("gives roles and users the boundary, keeps one set explicitly, and leaves every other type alone", () => {
        for (const type of ["aws:iam/role:Role", "aws:iam/user:User"]) {
            const a = args(type, { name: "r", assumeRolePolicy: "{}" });
            assert.deepEqual(transform(a), {
                props: {
                    name: "r",
                    assumeRolePolicy: "{}",
                    permissionsBoundary: "arn:aws:iam::123456789012:policy/cip-dev-workload-boundary",
                },
                opts: a.opts,
            });
        }
        assert.equal(transform(args("aws:iam/role:Role", { permissionsBoundary: "arn:aws:iam::123456789012:policy/explicit" })), undefined);
        assert.equal(transform(args("aws:iam/policy:Policy", { policy: "{}" })), undefined);
        assert.equal(transform(args("aws:iam/instanceProfile:InstanceProfile", {})), undefined);
    });
});
