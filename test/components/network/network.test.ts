import { strict as assert } from "node:assert";
import { subnetLayout } from "../../../components/network/cidrs";
import { ofType, plan, PlanFile, single } from "../../helpers/mocks";

/** The environments' networks live in the foundation, so deploy runners exist before any cluster. */
describe("network (foundation)", () => {
    describe("subnet layout", () => {
        it("gives each zone a private quarter and a small public subnet in the last quarter", () => {
            assert.deepEqual(subnetLayout("10.0.0.0/16"), {
                private: ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"],
                public: ["10.0.192.0/20", "10.0.208.0/20", "10.0.224.0/20"],
            });
            assert.deepEqual(subnetLayout("172.20.16.0/20").public, ["172.20.28.0/24", "172.20.29.0/24", "172.20.30.0/24"]);
        });
    });

    describe("foundation plan", () => {
        let planned: PlanFile;
        before(async () => {
            planned = await plan({ stack: "account" });
        });

        it("builds one VPC per environment, in its own range", () => {
            const vpcs = ofType(planned, "aws:ec2/vpc:Vpc");
            assert.deepEqual(
                vpcs.map((v) => [v.name, v.inputs.cidrBlock, (v.inputs.tags as Record<string, string>).environment]),
                [
                    ["cip-dev-network-vpc", "10.0.0.0/16", "dev"],
                    ["cip-staging-network-vpc", "10.1.0.0/16", "staging"],
                    ["cip-prod-network-vpc", "10.2.0.0/16", "prod"],
                ],
            );
        });

        it("spans three AZs with private subnets tagged for the environment's cluster's Karpenter", () => {
            const privates = ofType(planned, "aws:ec2/subnet:Subnet").filter(
                (s) => s.name.startsWith("cip-dev-") && s.name.includes("private"),
            );
            assert.deepEqual(
                privates.map((s) => s.inputs.availabilityZone),
                ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
            );
            for (const subnet of privates) {
                assert.equal((subnet.inputs.tags as Record<string, string>)["karpenter.sh/discovery"], "cip-dev");
            }
        });

        it("runs one NAT gateway in dev and staging, one per AZ in prod", () => {
            const nats = ofType(planned, "aws:ec2/natGateway:NatGateway");
            assert.equal(nats.filter((n) => n.name.startsWith("cip-dev-")).length, 1);
            assert.equal(nats.filter((n) => n.name.startsWith("cip-staging-")).length, 1);
            assert.equal(nats.filter((n) => n.name.startsWith("cip-prod-")).length, 3);
        });

        it("sends flow logs to a log group encrypted with a rotating CMK", () => {
            const flowLog = single(planned, "aws:ec2/flowLog:FlowLog", "cip-dev-");
            assert.equal(flowLog.inputs.trafficType, "ALL");
            const group = single(planned, "aws:cloudwatch/logGroup:LogGroup", "cip-dev-network-flow-logs");
            assert.match(String(group.inputs.kmsKeyId), /^arn:aws:kms:eu-west-1:123456789012:key\//);
            assert.equal(single(planned, "aws:kms/key:Key", "cip-dev-network-flow-logs").inputs.enableKeyRotation, true);
        });
    });

    it("refuses overlapping environment ranges", async () => {
        await assert.rejects(
            plan({ stack: "account", configChanges: { "ciplatform-foundation:networkProdVpcCidr": "10.0.128.0/17" } }),
            /ciplatform-foundation:networkProdVpcCidr: overlaps dev's 10\.0\.0\.0\/16/,
        );
    });
});
