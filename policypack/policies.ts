import { Policies } from "@pulumi/policy";
import { awsResourceRequireOrgTags } from "./tags";

/** Every policy of the pack, in the order the README lists them. */
export const policies: Policies = [awsResourceRequireOrgTags];
