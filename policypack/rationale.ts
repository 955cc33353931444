/** Why each rule exists: one sentence each, rendered into the table of rules in docs/policy-pack.md. */
export const RATIONALE: Record<string, string> = {
    "aws-resource-require-org-tags":
        "Cost allocation, ownership and ABAC all key on tags; provider default tags alone are invisible to policies.",
    "secretsmanager-secret-require-abac-tag":
        "The reader role grants a secret only to the namespace named in this tag; an untagged secret is unreadable or, worse, tagged later by hand.",
    "iam-policy-require-abac-condition":
        "A grant on every secret or key without the tag condition lets any workload read every tenant's secrets.",
    "iam-role-constrain-tag-session": "Unconstrained session tags let the caller choose its own ABAC identity.",
    "iam-policy-deny-abac-tag-changes": "Whoever can rewrite ABAC tags can grant themselves access; only admins may.",
    "externalsecrets-store-deny-tenant-session-tags":
        "A store tenants can edit would let them pick the namespace tag and read other namespaces' secrets.",
    "eks-cluster-require-secrets-encryption":
        "Without envelope encryption, Secrets sit in etcd protected only by AWS-managed disk encryption.",
    "kms-key-require-rotation-and-safe-deletion":
        "Rotation limits key exposure; a short deletion window or a lockout bypass can destroy data irrecoverably (asymmetric keys cannot rotate, so they are not asked to).",
    "secretsmanager-secret-require-cmk":
        "With the AWS-managed key, anyone allowed the secret can decrypt it: a CMK adds a second, auditable gate, replicas included.",
    "ec2-volume-require-cmk-encryption": "Node and data volumes hold workspaces and caches; a CMK makes access revocable and logged.",
    "kubernetes-storageclass-require-ebs-encryption":
        "Every PersistentVolume inherits its class: one unencrypted class leaks every volume made from it.",
    "sqs-queue-require-encryption": "Messages at rest must be encrypted like any other data.",
    "cloudwatch-loggroup-require-cmk": "Logs often carry tokens and hostnames; advisory because some AWS-managed groups cannot take a CMK.",
    "ecr-repository-require-kms-immutable-scan":
        "Immutable, scanned, CMK-encrypted images are what deploys trust; a missing block must fail, not pass.",
    "acmpca-ca-require-strong-config":
        "A CA with weak crypto, no revocation or a short deletion period undermines every certificate it issues.",
    "s3-bucket-require-kms-and-tls":
        "SSE-KMS with a bucket key and TLS-only access, checked across the separate bucket resources where modern providers configure them.",
    "iam-policy-deny-admin-access": "Administrator access turns any compromised workload into an account takeover.",
    "iam-policy-deny-wildcard-actions": "Wildcards silently grow as AWS adds actions; misspelt actions silently grant nothing.",
    "iam-policy-restrict-star-resource":
        '"*" is only acceptable where IAM offers nothing narrower, a condition pins the resource, or (for the resource a Create call makes) a resource the call requires is named.',
    "iam-policy-condition-key-in-context":
        "A condition on a key the call does not carry is false, so the grant it guards silently denies on the first real run; advisory because another statement may grant the call.",
    "iam-policy-deny-not-elements":
        "NotAction, NotResource and NotPrincipal grant everything not listed, including what AWS adds tomorrow.",
    "iam-policy-scope-pass-role":
        "PassRole on every role lets the holder hand any role, admin included, to a service it controls; AssumeRole on every role lets it become any role that trusts its account.",
    "iam-role-require-scoped-irsa-trust":
        "Without sub and aud pinned, any pod (or any token for the cluster's issuer) can assume the role.",
    "iam-role-deny-public-trust":
        "A role trusted by everyone, or by a whole account without a guard, is a confused-deputy away from compromise.",
    "iam-role-require-scoped-oidc-trust":
        "A GitHub or GitLab trust without sub and aud pinned lets any repository or branch on that issuer (anyone can create one) assume the role.",
    "eks-cluster-deny-public-endpoint":
        "A Kubernetes API reachable from the whole internet is one leaked token or API-server CVE away from the cluster; EKS makes it public by default.",
    "eks-cluster-require-control-plane-logging":
        "Without the api, audit and authenticator logs nobody can tell who changed or read what in the cluster after an incident; without the controller-manager and scheduler logs, what the cluster did on its own.",
    "ec2-securitygroup-deny-public-admin-ports":
        "SSH, RDP, Docker and Kubernetes control ports open to the internet are scanned within minutes and brute-forced for ever.",
    "s3-bucket-deny-public-access": 'Public ACLs and Principal "*" bucket policies are the most common source of data leaks on AWS.',
    "kms-secretsmanager-deny-public-policy":
        "A key or secret policy open to every principal makes the identity policies irrelevant: any AWS account can use the key or read the secret.",
    "sns-topic-require-kms":
        "Notifications carry job names, hosts and sometimes tokens; at rest they must be encrypted under a key the platform controls.",
    "ec2-require-imdsv2": "IMDSv1 answers any request, so an SSRF in any process on the host hands out the instance role's credentials.",
    "iam-document-within-aws-quotas":
        "IAM rejects an oversized document only at create time, halfway through a deployment; counting it in the plan fails it before anything changes.",
    "iam-role-inline-policies-within-aws-quota":
        "IAM sums every inline policy of a role; separate RolePolicy resources that each fit can still overflow the role's aggregate.",
    "kubernetes-helm-require-pinned-chart": "Floating versions and unknown repositories change what runs in the cluster without a review.",
    "karpenter-nodeclass-require-imdsv2-encryption": "IMDSv1 and a hop limit above 1 let pods steal the node role's credentials.",
    "karpenter-nodeclass-deny-latest-ami-in-prod":
        "Production nodes must run an AMI that was tested in staging, not whatever was released last night.",
    "karpenter-nodepool-require-limits": "An unlimited NodePool turns a runaway deployment into an unbounded bill.",
    "kubernetes-api-deny-deprecated-versions": "Deprecated APIs stop being served on upgrade, taking the objects with them.",
    "kubernetes-deny-static-aws-credentials":
        "A literal key id in a manifest or chart values, or an ESO store that signs in with a static key, is a long-lived credential outside the ABAC design.",
    "aws-iam-deny-access-key-in-kubernetes":
        "An access key wired into Kubernetes never expires and is not bound to a namespace, so it bypasses IRSA and the ABAC tags; the rare consumer that needs one is exempted with its reason.",
    "kubernetes-namespace-require-pod-security":
        "Pod Security admission only guards namespaces that name a level; an unlabelled namespace runs whatever the cluster default allows.",
    "kubernetes-workload-require-pod-security":
        "Failing the plan beats a workload the admission controller rejects at deploy time, or one that runs privileged in a namespace meant to be restricted.",
    "pack-report-exemptions": "Exemptions must stay visible in every run, with their reason.",
};
