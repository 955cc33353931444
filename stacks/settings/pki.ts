import { z } from "zod";
import { defineSection } from "./define";

/** Key algorithms a platform CA may use: RSA 2048+ or EC P-256+. */
export const CA_KEY_ALGORITHMS = ["RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"] as const;
/** Signing algorithms: SHA-256 or stronger. */
export const CA_SIGNING_ALGORITHMS = [
    "SHA256WITHRSA",
    "SHA384WITHRSA",
    "SHA512WITHRSA",
    "SHA256WITHECDSA",
    "SHA384WITHECDSA",
    "SHA512WITHECDSA",
] as const;

/** The private CA, cert-manager and the AWS PCA issuer. */
export const pkiSection = defineSection({
    prefix: "pki",
    shape: {
        mode: z
            .enum(["root", "subordinate"])
            .default("root")
            .describe("Create a root CA (self-signed, activated here) or a subordinate CA signed by pkiParentCaArn."),
        parentCaArn: z
            .string()
            .regex(
                /^(arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]{36})?$/,
                "must be an ACM PCA ARN (arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>)",
            )
            .default("")
            .describe("Parent CA that signs a subordinate CA; only with pkiMode subordinate."),
        keyAlgorithm: z.enum(CA_KEY_ALGORITHMS).default("EC_prime256v1").describe("CA key algorithm (RSA 2048+ or EC P-256+)."),
        signingAlgorithm: z
            .enum(CA_SIGNING_ALGORITHMS)
            .default("SHA256WITHECDSA")
            .describe("CA signing algorithm (SHA-256 or stronger; must match the key family)."),
        commonName: z.string().min(1).max(64).default("ciplatform internal CA").describe("Subject common name of the CA certificate."),
        organization: z.string().min(1).max(64).default("ciplatform").describe("Subject organization of the CA certificate."),
        validityYears: z.number().int().min(1).max(20).default(10).describe("Validity of the CA certificate in years (1-20)."),
        revocation: z
            .enum(["ocsp", "both"])
            .default("ocsp")
            .describe(
                "Revocation clients can check: ACM PCA's managed OCSP responder, or both (OCSP plus a CRL kept in a private, encrypted bucket for audit).",
            ),
        ocspCustomCname: z
            .string()
            .regex(/^(([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,})?$/, "must be a DNS name such as ocsp.pki.example.com, or empty")
            .default("")
            .describe("Host name certificates name as their OCSP responder (a CNAME to ACM PCA's responder); empty: AWS's own URL."),
        permanentDeletionDays: z
            .number()
            .int()
            .min(7)
            .max(30)
            .default(30)
            .describe("Days a deleted CA can be restored before it is gone (7-30)."),
        certManagerChartVersion: z
            .string()
            .regex(/^v\d+\.\d+\.\d+$/, "must be an exact version such as v1.21.1")
            .default("v1.21.1")
            .describe("Exact cert-manager chart version."),
        issuerChartVersion: z
            .string()
            .regex(/^v\d+\.\d+\.\d+$/, "must be an exact version such as v1.9.1")
            .default("v1.9.1")
            .describe("Exact aws-privateca-issuer chart version."),
    },
    check: (pki) => {
        const issues: Array<{ field: "parentCaArn" | "signingAlgorithm"; message: string }> = [];
        if (pki.mode === "root" && pki.parentCaArn !== "") {
            issues.push({ field: "parentCaArn", message: "a root CA has no parent: set pkiMode subordinate, or remove pkiParentCaArn" });
        }
        if (pki.mode === "subordinate" && pki.parentCaArn === "") {
            issues.push({ field: "parentCaArn", message: "a subordinate CA needs the ARN of the parent CA that signs it" });
        }
        const rsaKey = pki.keyAlgorithm.startsWith("RSA");
        if (rsaKey !== pki.signingAlgorithm.endsWith("WITHRSA")) {
            issues.push({
                field: "signingAlgorithm",
                message: `does not match key algorithm ${pki.keyAlgorithm}: use a ${rsaKey ? "...WITHRSA" : "...WITHECDSA"} algorithm`,
            });
        }
        return issues;
    },
});
