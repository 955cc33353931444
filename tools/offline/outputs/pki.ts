import { registerOutputs } from "../mocks";

const pem = (kind: string, body: string): string =>
    `-----BEGIN ${kind}-----\n${Buffer.from(body).toString("base64")}\n-----END ${kind}-----\n`;

registerOutputs("aws:acmpca/certificateAuthority:CertificateAuthority", (_args, ctx) => {
    const id = [
        ctx.digest.slice(0, 8),
        ctx.digest.slice(8, 12),
        ctx.digest.slice(12, 16),
        ctx.digest.slice(16, 20),
        ctx.digest.slice(20, 32),
    ].join("-");
    const arn = `arn:aws:acm-pca:${ctx.region}:${ctx.accountId}:certificate-authority/${id}`;
    return { id: arn, arn, certificateSigningRequest: pem("CERTIFICATE REQUEST", `offline CSR ${id}`) };
});
registerOutputs("aws:acmpca/certificate:Certificate", (args, ctx) => ({
    arn: `${String(args.inputs.certificateAuthorityArn)}/certificate/${ctx.digest.slice(0, 32)}`,
    certificate: pem("CERTIFICATE", `offline certificate ${ctx.digest.slice(0, 16)}`),
    certificateChain: pem("CERTIFICATE", `offline chain ${ctx.digest.slice(16, 32)}`),
}));
