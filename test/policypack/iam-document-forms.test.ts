/**
 * IAM documents as the rules read them (policypack/lib/iam-document.ts): JSON strings or objects, one
 * statement or a list, each element as a string or an array, principals as "*" or by kind, conditions
 * with single or listed values. Parsed JSON is memoised per process by its text, so each document here
 * is written with white space not used before in this process: the parser itself runs every time.
 */
import { strict as assert } from "node:assert";
import { conditionEntries, parseDocument, statementLabel } from "../../policypack/lib/iam-document";

let runs = 0;
/** The document as JSON text not parsed before in this process (IAM ignores white space between tokens). */
function fresh(doc: unknown): string {
    runs++;
    return `${" ".repeat(runs)}${JSON.stringify(doc)}${"\n".repeat(1 + Math.floor(Math.random() * 1e6))}`;
}

describe("IAM documents by form (lib/iam-document)", () => {
    it("one statement or a list; each element as a string or an array; Effect Deny or else Allow; Sid only as a string", () => {
        const one = parseDocument(
            fresh({ Statement: { Sid: "One", Effect: "Deny", Action: "s3:GetObject", Resource: ["a", "b"], NotResource: "c" } }),
        );
        assert.deepEqual(one, [
            {
                sid: "One",
                effect: "Deny",
                actions: ["s3:GetObject"],
                notActions: [],
                resources: ["a", "b"],
                notResources: ["c"],
                principals: {},
                notPrincipal: false,
                conditions: {},
            },
        ]);
        const list = parseDocument(
            fresh({ Statement: [{ Sid: 7, Effect: "allow", NotAction: ["iam:*"], Resource: null }, { Effect: "Allow" }] }),
        );
        assert.deepEqual(
            list?.map((s) => [s.sid, s.effect, s.actions, s.notActions, s.resources]),
            [
                [undefined, "Allow", [], ["iam:*"], []],
                [undefined, "Allow", [], [], []],
            ],
        );
        assert.deepEqual(parseDocument(fresh({ Version: "2012-10-17" })), []);
        assert.deepEqual(parseDocument({ Statement: { Action: 5 } })?.[0].actions, ["5"]);
    });

    it('principals: "*" as a string, by kind with a string or a list, and NotPrincipal', () => {
        const [star, byKind, not, none] =
            parseDocument(
                fresh({
                    Statement: [
                        { Principal: "*" },
                        { Principal: { AWS: "arn:aws:iam::1:root", Service: ["a.amazonaws.com", "b.amazonaws.com"] } },
                        { NotPrincipal: { AWS: ["arn:aws:iam::1:root"] } },
                        { Principal: "arn:aws:iam::1:root" },
                    ],
                }),
            ) ?? [];
        assert.deepEqual([star.principals, star.notPrincipal], [{ "*": ["*"] }, false]);
        assert.deepEqual(byKind.principals, { AWS: ["arn:aws:iam::1:root"], Service: ["a.amazonaws.com", "b.amazonaws.com"] });
        assert.deepEqual([not.principals, not.notPrincipal], [{ AWS: ["arn:aws:iam::1:root"] }, true]);
        assert.deepEqual([none.principals, none.notPrincipal], [{}, false]);
    });

    it("conditions: single and listed values, every operator kept; conditionEntries lower-cases keys, not operators", () => {
        const [s] =
            parseDocument(
                fresh({
                    Statement: {
                        Condition: {
                            StringEquals: { "AWS:SourceAccount": "1", "aws:TagKeys": ["a", "b"] },
                            Bool: { "aws:SecureTransport": false },
                            Null: null,
                        },
                    },
                }),
            ) ?? [];
        assert.deepEqual(s.conditions, {
            StringEquals: { "AWS:SourceAccount": ["1"], "aws:TagKeys": ["a", "b"] },
            Bool: { "aws:SecureTransport": ["false"] },
            Null: {},
        });
        assert.deepEqual(conditionEntries(s), [
            { operator: "StringEquals", key: "aws:sourceaccount", values: ["1"] },
            { operator: "StringEquals", key: "aws:tagkeys", values: ["a", "b"] },
            { operator: "Bool", key: "aws:securetransport", values: ["false"] },
        ]);
        assert.equal(conditionEntries(s), conditionEntries(s), "the entries are computed once per statement");
    });

    it("no policy: text that is not JSON, values that are not objects; the same text is parsed once", () => {
        for (const value of [fresh("x").slice(0, -1) + "{", undefined, null, 42, "42", fresh(null)]) {
            assert.equal(parseDocument(value), undefined, String(value));
        }
        const text = fresh({ Statement: { Action: "s3:GetObject" } });
        assert.equal(parseDocument(text), parseDocument(text), "the parsed statements of one text are shared");
    });

    it("statementLabel: the Sid when there is one, else the 1-based position", () => {
        const [a, b] = parseDocument(fresh({ Statement: [{ Sid: "Read" }, { Sid: "" }] })) ?? [];
        assert.equal(statementLabel(a, 0), 'statement "Read"');
        assert.equal(statementLabel(b, 1), "statement 2");
    });
});
