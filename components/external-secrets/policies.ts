/**
 * IAM for External Secrets with tag-based access control: the controller may only assume the
 * reader role; the reader role reads a secret only when the secret's ABAC tag equals the
 * namespace ESO tagged the session with.
 */
import { PolicyDocument, policyDocument } from "../shared/iam-documents";

/** Session tags ESO adds with `sessionTagsPolicy: Simple` (the only keys the reader accepts). */
export const ESO_SESSION_TAG_KEYS = ["esoNamespace", "esoStoreName", "esoStoreKind"] as const;
/** The session tag carrying the namespace of the ExternalSecret being synced. */
export const NAMESPACE_SESSION_TAG = "esoNamespace";

export interface ReaderTrustArgs {
    readonly controllerRoleArn: string;
    /** The platform ClusterSecretStore: only its sessions are accepted. */
    readonly storeName: string;
}

/**
 * Trust of the reader role: only the ESO controller role, session tags only with exactly ESO's keys
 * and the platform store's name and kind, and either
 * - a namespace (ESO reading for an ExternalSecret in that namespace), or
 * - an empty namespace: ESO validating the cluster-scoped store (it passes the store's namespace,
 *   "", so it tags `esoNamespace=""`). Such a session can read nothing (see `readerPermissions`).
 * A tenant's namespaced SecretStore would tag `esoStoreKind=SecretStore`, which no statement accepts.
 */
export function readerTrustPolicy(a: ReaderTrustArgs): PolicyDocument {
    const platformStore = { "aws:RequestTag/esoStoreKind": "ClusterSecretStore", "aws:RequestTag/esoStoreName": a.storeName };
    return policyDocument(
        { Sid: "ControllerAssumes", Effect: "Allow", Principal: { AWS: a.controllerRoleArn }, Action: "sts:AssumeRole" },
        {
            Sid: "ControllerTagsSessionWithNamespace",
            Effect: "Allow",
            Principal: { AWS: a.controllerRoleArn },
            Action: "sts:TagSession",
            Condition: {
                "ForAllValues:StringEquals": { "aws:TagKeys": [...ESO_SESSION_TAG_KEYS] },
                StringEquals: platformStore,
                StringLike: { [`aws:RequestTag/${NAMESPACE_SESSION_TAG}`]: "?*" },
            },
        },
        {
            Sid: "ControllerValidatesPlatformStore",
            Effect: "Allow",
            Principal: { AWS: a.controllerRoleArn },
            Action: "sts:TagSession",
            Condition: {
                "ForAllValues:StringEquals": { "aws:TagKeys": [...ESO_SESSION_TAG_KEYS] },
                StringEquals: { ...platformStore, [`aws:RequestTag/${NAMESPACE_SESSION_TAG}`]: "" },
            },
        },
    );
}

export interface ReaderPermissionsArgs {
    readonly region: string;
    readonly accountId: string;
    /** Tag key on secrets naming the namespace allowed to read them. */
    readonly abacTagKey: string;
    /** The platform secrets key. */
    readonly kmsKeyArn: string;
}

/**
 * Read a secret only where its ABAC tag equals the session's namespace, and only in a session with
 * a namespace (the store-validation session, `esoNamespace=""`, reads nothing); decrypt only via
 * Secrets Manager.
 */
export function readerPermissions(a: ReaderPermissionsArgs): PolicyDocument {
    return policyDocument(
        {
            Sid: "ReadSecretsOfTheSessionNamespace",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            Resource: `arn:aws:secretsmanager:${a.region}:${a.accountId}:secret:*`,
            Condition: {
                StringEquals: { [`aws:ResourceTag/${a.abacTagKey}`]: `\${aws:PrincipalTag/${NAMESPACE_SESSION_TAG}}` },
                StringLike: { [`aws:PrincipalTag/${NAMESPACE_SESSION_TAG}`]: "?*" },
            },
        },
        {
            Sid: "DecryptViaSecretsManager",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: a.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${a.region}.amazonaws.com` } },
        },
    );
}

/** The controller's only permission: assume (and tag sessions of) the reader role. */
export function controllerPermissions(readerRoleArn: string): PolicyDocument {
    return policyDocument({
        Sid: "AssumeReaderWithSessionTags",
        Effect: "Allow",
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Resource: readerRoleArn,
    });
}
