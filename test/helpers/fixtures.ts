/**
 * Stand-ins for other components' contracts, so a component can be tested alone under mocks.
 * They create real (mocked) Pulumi resources, never fakes of the code under test.
 */
import type { FoundationEnvironment } from "../../stacks/environment";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../../components/shared/interfaces";
import { MOCK_ACCOUNT_ID } from "../../tools/offline/mocks";
import { orgTagsTransformation } from "../../components/shared/tags";

export const TEST_OIDC_ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

/** A cluster handle with a Kubernetes provider and the OIDC facts IRSA trust policies need. */
export function testCluster(name = "test"): ClusterHandle {
    return {
        name: pulumi.output(`${name}-cluster`),
        provider: new k8s.Provider(`${name}-k8s`, { kubeconfig: "{}" }),
        oidcProviderArn: pulumi.output(`arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/${TEST_OIDC_ISSUER}`),
        oidcIssuer: pulumi.output(TEST_OIDC_ISSUER),
        // A real (mocked) resource standing for the system node group, so tests can see releases wait for it.
        systemReady: [new aws.eks.Addon(`${name}-coredns`, { clusterName: `${name}-cluster`, addonName: "coredns", tags: TEST_ORG_TAGS })],
    };
}

/** The org tags `underOrgTags` applies (the dev stack's values). */
export const TEST_ORG_TAGS = { environment: "dev", owner: "platform-team", "cost-center": "cc-1234", "managed-by": "pulumi" };

/** A root that tags everything below it with the org tags, as the Platform component does. */
export function underOrgTags(name = "test-root"): pulumi.ComponentResource {
    return new pulumi.ComponentResource("ciplatform:test:Root", name, {}, { transformations: [orgTagsTransformation(TEST_ORG_TAGS)] });
}

/** A foundation environment as a platform stack reads it (for composing `Platform` in tests). */
export function testFoundation(environment = "dev"): FoundationEnvironment {
    return {
        network: {
            clusterName: `cip-${environment}`,
            vpcId: "vpc-0123456789abcdef0",
            vpcCidr: "10.0.0.0/16",
            zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
            privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
            publicSubnetIds: ["subnet-pa", "subnet-pb", "subnet-pc"],
            runnerSecurityGroupIds: ["sg-deploy", "sg-preview"],
            runnerTags: { deploy: `ciplatform-${environment}-deploy`, preview: `ciplatform-${environment}-preview` },
            clusterServiceRoleName: `cip-${environment}-eks-cluster`,
        },
        deployRoleArn: `arn:aws:iam::123456789012:role/ciplatform-foundation/cip-deployer-deploy-${environment}`,
        previewRoleArn: "arn:aws:iam::123456789012:role/ciplatform-foundation/cip-deployer-preview",
    };
}
