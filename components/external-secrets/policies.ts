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
 * Trust of the reader role: only the ESO controller role, session tags only with ESO's keys and the
 * platform store's name and kind. The namespace tag's value is not a condition of the trust: ESO
 * sets it (external-secrets v2.9.0 AWS provider, `sessionTagsPolicy: Simple`) to the namespace of
 * the ExternalSecret it syncs, or to the store's (none) when it validates the ClusterSecretStore.
 * Whether IAM's `StringEquals ""` matches an empty session tag is documented nowhere, so nothing
 * rests on it: what a session may read is decided by `readerPermissions`, whose conditions rest on
 * documented operator semantics only (a positive operator on an absent key is false; `?` matches
 * exactly one character, so `?*` never matches an empty value).
 * A tenant's namespaced SecretStore would tag `esoStoreKind=SecretStore`, which the trust refuses.
 */
export function readerTrustPolicy(a: ReaderTrustArgs): PolicyDocument {
    const platformStore = { "aws:RequestTag/esoStoreKind": "ClusterSecretStore", "aws:RequestTag/esoStoreName": a.storeName };
    return policyDocument(
        { Sid: "ControllerAssumes", Effect: "Allow", Principal: { AWS: a.controllerRoleArn }, Action: "sts:AssumeRole" },
        {
            Sid: "ControllerTagsSessionForThePlatformStore",
            Effect: "Allow",
            Principal: { AWS: a.controllerRoleArn },
            Action: "sts:TagSession",
            Condition: {
                "ForAllValues:StringEquals": { "aws:TagKeys": [...ESO_SESSION_TAG_KEYS] },
                StringEquals: platformStore,
            },
        },
    );
}

export interface ReaderPermissionsArgs {
    readonly region: string;
    readonly accountId: string;
    /** The environment's secret name prefix (`cip-dev`): secrets are named `<prefix>/<namespace>/<name>`. */
    readonly secretNamePrefix: string;
    /** Tag key on secrets naming the namespace allowed to read them. */
    readonly abacTagKey: string;
    /** The platform secrets key. */
    readonly kmsKeyArn: string;
}

/**
 * Read a secret only of this environment (its name prefix: dev, staging and prod share the account
 * and namespace names such as `jenkins`), only under the session's namespace (name and ABAC tag
 * alike), and only in a session with a namespace (the store-validation session reads nothing);
 * decrypt only via Secrets Manager.
 */
export function readerPermissions(a: ReaderPermissionsArgs): PolicyDocument {
    return policyDocument(
        {
            Sid: "ReadSecretsOfTheSessionNamespace",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            // Secrets Manager appends `-` and six random characters to the name in the ARN.
            Resource: `arn:aws:secretsmanager:${a.region}:${a.accountId}:secret:${a.secretNamePrefix}/\${aws:PrincipalTag/${NAMESPACE_SESSION_TAG}}/*`,
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
