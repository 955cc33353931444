/**
 * Typed IAM policy documents and the builders every component shares, so trust and key policies
 * are written once and tested without mocks.
 */
import * as pulumi from "@pulumi/pulumi";

/** A string that may still be an Output (the ARN of a resource being created). */
type Str = pulumi.Input<string>;

export type ConditionBlock = Record<string, Record<string, Str | Str[] | boolean>>;

export interface Statement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: "*" | { AWS?: Str | Str[]; Service?: string | string[]; Federated?: Str | Str[] };
    Action: string | string[];
    Resource?: Str | Str[];
    Condition?: ConditionBlock;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Statement[];
}

export function policyDocument(...statements: Statement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

/** Serializes a document whose strings may still be Outputs (ARNs of resources being created). */
export function toJson(document: pulumi.Input<PolicyDocument>): pulumi.Output<string> {
    return pulumi.jsonStringify(pulumi.output(document));
}

/**
 * Trust policy for IAM Roles for Service Accounts: only the given service account of the given
 * namespace, only with the STS audience.
 */
export function irsaTrustPolicy(
    oidcProviderArn: string,
    oidcIssuer: string,
    namespace: string,
    serviceAccounts: string | string[],
): PolicyDocument {
    const subjects = (Array.isArray(serviceAccounts) ? serviceAccounts : [serviceAccounts]).map(
        (sa) => `system:serviceaccount:${namespace}:${sa}`,
    );
    return policyDocument({
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
            StringEquals: {
                [`${oidcIssuer}:sub`]: subjects.length === 1 ? subjects[0] : subjects,
                [`${oidcIssuer}:aud`]: "sts.amazonaws.com",
            },
        },
    });
}

/** Trust policy for an AWS service principal, confined to this account's requests. */
export function serviceTrustPolicy(service: string, accountId: string): PolicyDocument {
    return policyDocument({
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    });
}

/** Trust policy for EC2 instances (node roles): EC2 does not send aws:SourceAccount. */
export function ec2TrustPolicy(): PolicyDocument {
    return policyDocument({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" });
}

/** The statement that refuses any request not made over TLS, for bucket and queue policies. */
export function denyInsecureTransport(action: string, resources: string[]): Statement {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: action,
        Resource: resources,
        Condition: { Bool: { "aws:SecureTransport": false } },
    };
}

/** ARN of an AWS managed policy. */
export function managedPolicyArn(name: string): string {
    return `arn:aws:iam::aws:policy/${name}`;
}
