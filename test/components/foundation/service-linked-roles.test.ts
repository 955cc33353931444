import { strict as assert } from "node:assert";
import {
    missingServiceLinkedRoles,
    PLATFORM_SERVICE_LINKED_ROLES,
    serviceLinkedRoleArn,
} from "../../../components/foundation/service-linked-roles";

describe("service-linked roles", () => {
    const byService = new Map(PLATFORM_SERVICE_LINKED_ROLES.map((r) => [r.serviceName, r.roleName]));

    it("lists the roles EKS, its node groups, Auto Scaling, EC2 Spot and ELB need, with their AWS names", () => {
        assert.equal(byService.get("eks.amazonaws.com"), "AWSServiceRoleForAmazonEKS");
        assert.equal(byService.get("eks-nodegroup.amazonaws.com"), "AWSServiceRoleForAmazonEKSNodegroup");
        assert.equal(byService.get("autoscaling.amazonaws.com"), "AWSServiceRoleForAutoScaling");
        assert.equal(byService.get("spot.amazonaws.com"), "AWSServiceRoleForEC2Spot");
        assert.equal(byService.get("elasticloadbalancing.amazonaws.com"), "AWSServiceRoleForElasticLoadBalancing");
        assert.equal(
            new Set(PLATFORM_SERVICE_LINKED_ROLES.map((r) => r.roleName)).size,
            PLATFORM_SERVICE_LINKED_ROLES.length,
            "no duplicates",
        );
    });

    it("builds the ARN under /aws-service-role/<service>/, the one the EBS key policy names", () => {
        const autoscaling = PLATFORM_SERVICE_LINKED_ROLES.find((r) => r.serviceName === "autoscaling.amazonaws.com");
        assert.ok(autoscaling);
        assert.equal(
            serviceLinkedRoleArn("123456789012", autoscaling),
            "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        );
        assert.throws(() => serviceLinkedRoleArn("1234", autoscaling), /accountId: got "1234"; use a 12-digit AWS account id/);
    });

    it("reports the roles an account lacks", () => {
        const present = PLATFORM_SERVICE_LINKED_ROLES.map((r) => r.roleName).filter((n) => n !== "AWSServiceRoleForEC2Spot");
        assert.deepEqual(
            missingServiceLinkedRoles(present).map((r) => r.serviceName),
            ["spot.amazonaws.com"],
        );
        assert.deepEqual(missingServiceLinkedRoles(PLATFORM_SERVICE_LINKED_ROLES.map((r) => r.roleName)), []);
    });
});
