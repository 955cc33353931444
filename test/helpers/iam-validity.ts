/**
 * What IAM refuses in a policy document before it evaluates anything (CreatePolicy/PutRolePolicy answer
 * MalformedPolicyDocument): a statement without actions or resources ("Policy statement must contain resources"), a
 * resource that is neither `*` nor an ARN ("Resource ... must be in ARN format or \"*\""), a Sid of other characters than
 * ASCII letters and digits, or the same Sid twice (IAM JSON policy elements: Sid). The simulator accepts all of these (it
 * reads an empty resource as matching everything), so the tests check them here.
 */
import type { PolicyDocument } from "../../components/shared/iam-documents";

/** Each reason IAM would refuse the document, empty when it would accept it. */
export function iamRejections(document: PolicyDocument): string[] {
    const problems: string[] = [];
    const sids = new Set<string>();
    document.Statement.forEach((s, i) => {
        const name = s.Sid ?? `statement ${i}`;
        if (([] as string[]).concat(s.Action).length === 0) {
            problems.push(`${name}: no action`);
        }
        const resources = s.Resource === undefined ? undefined : ([] as unknown[]).concat(s.Resource);
        if (resources !== undefined && resources.length === 0) {
            problems.push(`${name}: no resource`);
        }
        for (const r of resources ?? []) {
            if (typeof r === "string" && r !== "*" && !/^arn:aws[a-z-]*:[a-z0-9*-]+:[^:]*:[^:]*:.+/.test(r)) {
                problems.push(`${name}: resource ${JSON.stringify(r)} is neither * nor an ARN`);
            }
        }
        if (s.Sid !== undefined) {
            if (!/^[A-Za-z0-9]*$/.test(s.Sid)) {
                problems.push(`${name}: a Sid takes ASCII letters and digits only`);
            }
            if (sids.has(s.Sid)) {
                problems.push(`${name}: Sid used twice`);
            }
            sids.add(s.Sid);
        }
    });
    return problems;
}
