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
export const KEY_USE_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"];

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

/**
 * A key for EBS volumes launched by EC2 (Karpenter's fleets), Auto Scaling (managed node groups)
 * and the EBS CSI driver. Without the Auto Scaling service-linked role's grant, nodes whose
 * volumes use a customer-managed key are terminated at launch.
 */
export function ebsKeyPolicy(accountId: string, region: string): PolicyDocument {
    const autoscalingRole = `arn:aws:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
    return policyDocument(
        adminStatement(accountId),
        viaServiceStatement("UseViaEC2", accountId, "ec2", region),
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
