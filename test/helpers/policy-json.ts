/** An IAM policy document as a program writes it into an input: the JSON text of its statements. */
export const policyJson = (...Statement: object[]): string => JSON.stringify({ Version: "2012-10-17", Statement });

/** The bucket-policy statement that refuses plain-HTTP requests, in the form most programs write it. */
export const DENY_PLAIN_HTTP = {
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: "*",
    Condition: { Bool: { "aws:SecureTransport": "false" } },
} as const;
