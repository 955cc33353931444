/**
 * The External Secrets documents (components/external-secrets/policies.ts) built directly: each statement named for what
 * it allows, and the reader's own policy (without the key policy's help) decrypting only through Secrets Manager.
 */
import { strict as assert } from "node:assert";
import { controllerPermissions, readerPermissions, readerTrustPolicy } from "../../../components/external-secrets/policies";
import { simulate, keyDelegatedToAccount } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

describe("External Secrets documents (components/external-secrets/policies.ts)", () => {
    it("names each statement for what it allows", () => {
        const trust = readerTrustPolicy({ controllerRoleArn: `arn:aws:iam::${ACCOUNT}:role/eso`, storeName: "platform-secrets" });
        assert.deepEqual(
            trust.Statement.map((s) => s.Sid),
            ["ControllerAssumes", "ControllerTagsSessionForThePlatformStore"],
        );
        const reader = readerPermissions({
            region: "eu-west-1",
            accountId: ACCOUNT,
            secretNamePrefix: "cip-dev",
            abacTagKey: "ekssecret",
            kmsKeyArn: KEY,
        });
        assert.deepEqual(
            reader.Statement.map((s) => s.Sid),
            ["ReadSecretsOfTheSessionNamespace", "DecryptViaSecretsManager"],
        );
        assert.deepEqual(
            controllerPermissions(`arn:aws:iam::${ACCOUNT}:role/reader`).Statement.map((s) => s.Sid),
            ["AssumeReaderWithSessionTags"],
        );
    });

    it("the reader's own policy decrypts the platform key only through Secrets Manager in its region", async () => {
        const reader = readerPermissions({
            region: "eu-west-1",
            accountId: ACCOUNT,
            secretNamePrefix: "cip-dev",
            abacTagKey: "ekssecret",
            kmsKeyArn: KEY,
        });
        const decrypt = (context: Record<string, string>, resource = KEY) =>
            simulate({
                identityPolicies: [reader],
                // A key policy that leaves every decision to IAM: the reader's own conditions alone decide.
                resourcePolicy: keyDelegatedToAccount(ACCOUNT),
                action: "kms:Decrypt",
                principal: `arn:aws:sts::${ACCOUNT}:assumed-role/eso-reader/session`,
                resource,
                context,
            });
        assert.equal(await decrypt({ "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" }), "Allowed");
        assert.equal(await decrypt({}), "ImplicitlyDenied");
        assert.equal(await decrypt({ "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" }), "ImplicitlyDenied");
        assert.equal(await decrypt({ "kms:ViaService": "s3.eu-west-1.amazonaws.com" }), "ImplicitlyDenied");
        assert.equal(
            await decrypt({ "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" }, KEY.replace("1234abcd", "99999999")),
            "ImplicitlyDenied",
        );
    });
});
