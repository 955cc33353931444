/** Key policies for the platform's customer-managed KMS keys. */
import { policyDocument, PolicyDocument, Statement } from "./iam-documents";

/** What key administrators (the account's IAM, for the deploy role) may do: everything but use the key. */
export const KEY_ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
];

/** Cryptographic use of a symmetric key. */
export const KEY_USE_ACTIONS = [
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
];

function adminStatement(accountId: string): Statement {
    return {
        Sid: "KeyAdministration",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: KEY_ADMIN_ACTIONS,
        Resource: "*",
    };
}

/** Use through one AWS service only, by principals of this account whose IAM policies allow it. */
function viaServiceStatement(sid: string, accountId: string, service: string, region: string): Statement {
    return {
        Sid: sid,
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: [...KEY_USE_ACTIONS, "kms:CreateGrant"],
        Resource: "*",
        Condition: { StringEquals: { "kms:ViaService": `${service}.${region}.amazonaws.com`, "kms:CallerAccount": accountId } },
    };
}

/** A key used by one service on behalf of the account (EKS secrets, Secrets Manager, S3, ...). */
export function serviceKeyPolicy(accountId: string, region: string, service: string): PolicyDocument {
    return policyDocument(adminStatement(accountId), viaServiceStatement(`UseVia${service}`, accountId, service, region));
}

/** A key CloudWatch Logs encrypts log groups of this account with. */
export function logsKeyPolicy(accountId: string, region: string): PolicyDocument {
    return policyDocument(adminStatement(accountId), {
        Sid: "CloudWatchLogsUse",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"],
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${accountId}:log-group:*` } },
    });
}

/** What EC2 does with an EBS key on a caller's behalf when it creates, attaches and launches volumes. */
export const EBS_KEY_USE_ACTIONS = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
];

/**
 * A key for EBS volumes launched by EC2 (Karpenter's fleets), Auto Scaling (managed node groups)
 * and the EBS CSI driver:
 * - `EbsUseViaEc2InAccount`: the statement Karpenter documents for encrypted volumes (the one in
 *   AWS's default EBS key policy): any principal of this account, only through EC2 in this region.
 *   Karpenter's CreateFleet and the CSI driver's CreateVolume reach KMS this way.
 * - `EbsGrantsViaEc2InAccount`: grants for attached volumes, as the EBS CSI driver documents
 *   (`kms:GrantIsForAWSResource`), again only through EC2 for this account.
 * - The Auto Scaling service-linked role's use and grants: without them, managed-node-group
 *   instances whose volumes use the key are terminated at launch.
 */
export function ebsKeyPolicy(accountId: string, region: string): PolicyDocument {
    const autoscalingRole = `arn:aws:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
    const viaEc2 = { "kms:ViaService": `ec2.${region}.amazonaws.com`, "kms:CallerAccount": accountId };
    return policyDocument(
        adminStatement(accountId),
        {
            Sid: "EbsUseViaEc2InAccount",
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: [...EBS_KEY_USE_ACTIONS, "kms:CreateGrant"],
            Resource: "*",
            Condition: { StringEquals: viaEc2 },
        },
        {
            Sid: "EbsGrantsViaEc2InAccount",
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            Resource: "*",
            Condition: { StringEquals: viaEc2, Bool: { "kms:GrantIsForAWSResource": true } },
        },
        {
            Sid: "AutoScalingServiceLinkedRoleUse",
            Effect: "Allow",
            Principal: { AWS: autoscalingRole },
            Action: KEY_USE_ACTIONS,
            Resource: "*",
        },
        {
            Sid: "AutoScalingServiceLinkedRoleGrants",
            Effect: "Allow",
            Principal: { AWS: autoscalingRole },
            Action: "kms:CreateGrant",
            Resource: "*",
            Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
        },
    );
}
