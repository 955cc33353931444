import { strict as assert } from "node:assert";
import {
    SUPPLY_CHAIN_BOUNDARY_ACTIONS,
    supplyChainBoundaryDocument,
    WORKLOAD_BOUNDARY_ACTIONS,
    workloadBoundaryDocument,
} from "../../../components/foundation/workload-boundary";
import { simulate } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const scope = { accountId: ACCOUNT, region: REGION, prefix: "cip-dev" };
const PROFILE = `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/cip_dev_abc123`;

/**
 * The two boundaries of an environment (issue 25, review item 2): Signer revocation and the Security
 * Hub calls are the supply-chain and findings roles' only, so a node or controller under the workload
 * boundary can never import, read or resolve findings, nor read revocation status, whatever its
 * inline policy says.
 */
describe("permissions boundaries: what only the supply-chain boundary grants", () => {
    const onlySupplyChain = [
        ["securityhub:BatchImportFindings", `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`],
        ["securityhub:GetFindings", `arn:aws:securityhub:${REGION}:${ACCOUNT}:hub/default`],
        ["securityhub:BatchUpdateFindings", `arn:aws:securityhub:${REGION}:${ACCOUNT}:hub/default`],
        ["signer:GetRevocationStatus", `${PROFILE}/A1B2C3D4E5`],
        ["signer:GetRevocationStatus", `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-jobs/11111111-2222-3333-4444-555555555555`],
        ["signer:SignPayload", PROFILE],
        ["ecr:PutImage", `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/cip-dev/apps`],
    ] as const;

    it("the workload boundary lists no Security Hub, Signer or ECR push action; the supply-chain boundary lists them", () => {
        const moved = (a: string) => /^(securityhub|signer):/.test(a) || ["ecr:PutImage", "ecr:InitiateLayerUpload"].includes(a);
        assert.deepEqual(WORKLOAD_BOUNDARY_ACTIONS.filter(moved), []);
        for (const [action] of onlySupplyChain) assert.ok(SUPPLY_CHAIN_BOUNDARY_ACTIONS.includes(action), action);
    });

    for (const [action, resource] of onlySupplyChain) {
        it(`${action} on ${resource.split(":").slice(5).join(":")}: Denied under the workload boundary, Allowed under the supply-chain one`, async () => {
            const principal = `arn:aws:iam::${ACCOUNT}:role/cip-dev-x`;
            assert.notEqual(
                await simulate({ identityPolicies: [workloadBoundaryDocument(scope)], principal, action, resource }),
                "Allowed",
            );
            assert.equal(
                await simulate({ identityPolicies: [supplyChainBoundaryDocument(scope)], principal, action, resource }),
                "Allowed",
            );
        });
    }

    it("the supply-chain boundary signs only with the environment's profile and pushes only to its repositories", async () => {
        const principal = `arn:aws:iam::${ACCOUNT}:role/cip-dev-x`;
        const boundary = supplyChainBoundaryDocument(scope);
        for (const [action, resource] of [
            ["signer:SignPayload", `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/cip_prod_abc123`],
            ["ecr:PutImage", `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/cip-prod/apps`],
        ] as const) {
            assert.notEqual(
                await simulate({ identityPolicies: [boundary], principal, action, resource }),
                "Allowed",
                `${action} on ${resource}`,
            );
        }
    });
});
