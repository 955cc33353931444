/**
 * IAM documents of Jenkins (jenkins.ts), as pure builders: the controller's own permissions. Tested directly in
 * test/components/jenkins/policies.test.ts.
 */
import { policyDocument, PolicyDocument } from "../shared/iam-documents";

/** The controller may assume the listed deploy roles, and nothing else. */
export function controllerPermissions(deployRoleArns: readonly string[]): PolicyDocument {
    return policyDocument({ Sid: "AssumeDeployRoles", Effect: "Allow", Action: "sts:AssumeRole", Resource: [...deployRoleArns] });
}
