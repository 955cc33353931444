/**
 * aws-privateca-issuer's choice of ACM PCA template for a CertificateRequest, as its source makes it
 * (cert-manager/aws-privateca-issuer v1.9.1 `pkg/aws/pca.go` `buildTemplateArn`; the issuer's
 * `spec.pcaTemplate.defaultTemplateName` from `pkg/controllers/certificaterequest_controller.go`),
 * so tests can ask which template a request would be signed with.
 */
export function issuerTemplateArn(issuerTemplate: string | undefined, request: { isCA?: boolean; usages?: readonly string[] }): string {
    const prefix = "arn:aws:acm-pca:::template/";
    if (issuerTemplate) return prefix + issuerTemplate;
    if (request.isCA) return prefix + "SubordinateCACertificate_PathLen0/V1";
    const usages = request.usages ?? [];
    if (usages.length === 1) {
        const single: Record<string, string> = {
            "code signing": "CodeSigningCertificate/V1",
            "client auth": "EndEntityClientAuthCertificate/V1",
            "server auth": "EndEntityServerAuthCertificate/V1",
            "ocsp signing": "OCSPSigningCertificate/V1",
        };
        if (single[usages[0]]) return prefix + single[usages[0]];
    } else if (usages.length === 2 && usages.includes("client auth") && usages.includes("server auth")) {
        return prefix + "EndEntityCertificate/V1";
    }
    return prefix + "BlankEndEntityCertificate_APICSRPassthrough/V1";
}
