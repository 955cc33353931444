/**
 * Walks docs/empty-account.md in order, each command as written, against the offline engine (the
 * foundation's real program and plan, planned with the config the guide's commands set) and
 * stand-ins where AWS, Pulumi's S3 backend, git and the CI system would answer. Reports every step a
 * person or a pipeline job could not do as written.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { MOCK_ACCOUNT_ID } from "../../offline/mocks";
import { PlannedResource, PROJECT_ROOT, runPlan } from "../../offline/plan";
import { GitlabJob, gitlabPipelineFor, GitlabPipelineFile, jobVariable, readGitlabPipeline, Variables } from "../../pipelines/gitlab";
import { GITLAB_VARIABLES } from "../../../components/foundation/ci-variables";
import { deployRefFor } from "../../../components/foundation/deployer-policies";
import { parseCommand, ParsedCommand } from "./cli-surface";
import { GuideStep, readGuide, splitCommand } from "./guide";
import { decide, IamRequest, Policy } from "./iam";

export interface BootstrapFinding {
    /** The guide's step (`3`, or `recovery: …`) and the command, as written. */
    readonly step: string;
    readonly command: string;
    readonly why: string;
}

/** The administrator the offline engine answers getCallerIdentity with (tools/offline/outputs/aws.ts). */
const ADMIN_SESSION = `arn:aws:sts::${MOCK_ACCOUNT_ID}:assumed-role/offline-plan/session`;
const ADMIN_ROLE = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/offline-plan`;
const ORG = "organization";
const LOCAL_BACKEND = "file://~";

interface StackFile {
    config: Record<string, unknown>;
    secretsprovider?: string;
    encryptedkey?: string;
    encryptionsalt?: string;
    [key: string]: unknown;
}

interface StackRecord {
    readonly project: string;
    readonly stack: string;
    secretsProvider: string;
    outputs?: Record<string, unknown>;
    resources?: PlannedResource[];
}

type Actor = "administrator" | "developer" | "cluster-admin";

/** Raised by a stand-in: the command fails as the real one would. */
class StepFailure extends Error {}

/** The foundation as planned (and, after its `up`, deployed). */
export interface Foundation {
    readonly resources: readonly PlannedResource[];
    readonly outputs: Record<string, unknown>;
}

const parsePolicy = (value: unknown): Policy | undefined =>
    typeof value === "string" && value.startsWith("{") ? (JSON.parse(value) as Policy) : undefined;

class World {
    cwd = PROJECT_ROOT;
    env: Record<string, string> = {};
    backend: string | undefined;
    readonly backends = new Map<string, Map<string, StackRecord>>();
    /** The selected stack of each project (the CLI keeps one per project). */
    readonly selectedBy = new Map<string, string>();
    ciMarker = false;
    /** The pipeline jobs the rehearsal followed to AWS (`<event> <branch> <job>`). */
    readonly jobsChecked: string[] = [];
    /** Working-tree stack files, by path relative to the repository. */
    readonly files = new Map<string, string>();
    readonly staged = new Set<string>();
    branch = "main";
    /** Commits on branches: path → content. */
    readonly local = new Map<string, Map<string, string>>();
    readonly remote = new Map<string, Map<string, string>>();
    readonly protectedBranches = new Set<string>();
    ciVariables: Record<string, string> | undefined;
    foundation: Foundation | undefined;
    readonly findings: BootstrapFinding[] = [];
    step = "";
    command = "";
    readonly pipeline: GitlabPipelineFile;

    constructor(
        readonly region: string,
        readonly plan: (configChanges: Record<string, unknown>) => Promise<Foundation>,
    ) {
        for (const file of ["Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml", "foundation/Pulumi.account.yaml"]) {
            this.files.set(file, fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8"));
        }
        this.local.set("main", new Map(this.files));
        this.remote.set("main", new Map(this.files));
        this.pipeline = readGitlabPipeline(fs.readFileSync(path.join(PROJECT_ROOT, ".gitlab-ci.yml"), "utf8"));
    }

    fail(why: string): never {
        throw new StepFailure(why);
    }

    note(why: string, command = this.command): void {
        this.findings.push({ step: this.step, command, why });
    }

    // --- projects and stack files -------------------------------------------------------------

    project(): { name: string; dir: string } {
        const file = path.join(this.cwd, "Pulumi.yaml");
        if (!fs.existsSync(file)) {
            return this.fail(`no Pulumi.yaml in ${path.relative(PROJECT_ROOT, this.cwd) || "."}: not a Pulumi project`);
        }
        return {
            name: String((YAML.parse(fs.readFileSync(file, "utf8")) as { name: string }).name),
            dir: path.relative(PROJECT_ROOT, this.cwd),
        };
    }

    stackFilePath(stack: string): string {
        const dir = this.project().dir;
        return dir ? `${dir}/Pulumi.${stack}.yaml` : `Pulumi.${stack}.yaml`;
    }

    readStackFile(stack: string): StackFile {
        const text = this.files.get(this.stackFilePath(stack));
        return { config: {}, ...((text ? YAML.parse(text) : {}) as Partial<StackFile>) } as StackFile;
    }

    writeStackFile(stack: string, file: StackFile): void {
        this.files.set(this.stackFilePath(stack), YAML.stringify(file));
    }

    stacks(): Map<string, StackRecord> {
        if (!this.backend) {
            return this.fail("not logged in to a backend (pulumi login)");
        }
        let stacks = this.backends.get(this.backend);
        if (!stacks) {
            stacks = new Map();
            this.backends.set(this.backend, stacks);
        }
        return stacks;
    }

    get selected(): string | undefined {
        return this.selectedBy.get(this.project().name);
    }

    set selected(name: string | undefined) {
        if (name === undefined) {
            this.selectedBy.delete(this.project().name);
        } else {
            this.selectedBy.set(this.project().name, name);
        }
    }

    qualified(stack: string): string {
        return stack.split("/").length === 3 ? stack : `${ORG}/${this.project().name}/${stack}`;
    }

    current(flags: Record<string, string | true>): StackRecord {
        const name = typeof flags["--stack"] === "string" ? this.qualified(flags["--stack"]) : this.selected;
        if (!name) {
            return this.fail("no stack selected (pulumi stack init/select, or --stack)");
        }
        const record = this.stacks().get(name);
        if (!record) {
            return this.fail(`stack ${name} does not exist in ${this.backend}`);
        }
        return record;
    }

    // --- AWS as the foundation made it ---------------------------------------------------------

    resources(): readonly PlannedResource[] {
        return this.foundation?.resources ?? [];
    }

    /** The KMS key behind `awskms://alias/<name>?region=…` and its policy, if the foundation created it. */
    keyOf(provider: string): { arn: string; policy?: Policy } | undefined {
        const alias = /^awskms:\/\/(alias\/[^?]+)/.exec(provider)?.[1];
        const aliasResource = this.resources().find((r) => r.type === "aws:kms/alias:Alias" && r.inputs.name === alias);
        const key = this.resources().find((r) => aliasResource?.dependsOn.includes(r.urn) && r.type === "aws:kms/key:Key");
        return (
            key && {
                arn: `arn:aws:kms:${this.region}:${MOCK_ACCOUNT_ID}:key/${String(aliasResource?.inputs.targetKeyId)}`,
                policy: parsePolicy(key.inputs.policy),
            }
        );
    }

    /** Identity policies of a planned role (inline, and managed policies attached to it), by role ARN. */
    roleOf(arn: string): { trust?: Policy; maxSessionDuration: number; policies: Policy[] } | undefined {
        const name = arn.split("/").at(-1);
        const inline = this.resources().filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === name);
        const roleUrn = inline[0]?.dependsOn.find((u) => u.includes("aws:iam/role:Role::"));
        const role = this.resources().find((r) => r.urn === roleUrn);
        if (!role) {
            return undefined;
        }
        const attached = this.resources()
            .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.inputs.role === name)
            .map((a) =>
                this.resources().find(
                    (p) => p.type === "aws:iam/policy:Policy" && String(a.inputs.policyArn).endsWith(`/${String(p.inputs.name)}`),
                ),
            )
            .filter((p): p is PlannedResource => p !== undefined);
        return {
            trust: parsePolicy(role.inputs.assumeRolePolicy),
            maxSessionDuration: Number(role.inputs.maxSessionDuration ?? 3600),
            policies: [...inline, ...attached].map((r) => parsePolicy(r.inputs.policy)).filter((p): p is Policy => p !== undefined),
        };
    }

    /** Can `who` (a role's policies, or the administrator) use the key behind `provider` for `actions`? */
    checkKey(provider: string, principal: string, identity: Policy[] | "admin", actions: readonly string[], purpose: string): void {
        if (provider === "passphrase") {
            if (principal !== ADMIN_ROLE) {
                this.fail(`${purpose}: the stack uses the passphrase secrets provider and CI has no passphrase ("passphrase must be set")`);
            }
            if (!this.env.PULUMI_CONFIG_PASSPHRASE) {
                this.fail(`${purpose}: passphrase must be set (PULUMI_CONFIG_PASSPHRASE)`);
            }
            return;
        }
        const key = this.keyOf(provider);
        if (!key) {
            this.fail(`${purpose}: ${provider} names no key the foundation created (yet)`);
        }
        for (const action of actions) {
            const decision = decide({ principal, action, resource: key.arn }, { identity, resource: key.policy });
            if (!decision.allowed) {
                this.fail(`${purpose}: ${decision.why}`);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Stand-ins.

function actorOf(step: GuideStep): Actor {
    if (/clusterAdminRoleArns/.test(step.who)) {
        return "cluster-admin";
    }
    return /administrator/i.test(step.who) ? "administrator" : "developer";
}

async function pulumi(w: World, c: ParsedCommand): Promise<string> {
    const flags = c.flags;
    switch (c.command) {
        case "login": {
            if (flags["--local"]) {
                w.backend = LOCAL_BACKEND;
                return "Logged in to the local backend";
            }
            const url =
                c.positionals[0] ?? w.fail("pulumi login without a URL logs in to Pulumi Cloud; the guide's backend is the state bucket");
            const bucket = /^s3:\/\/([^?/]+)/.exec(url)?.[1];
            if (!bucket) {
                return w.fail(`${url} is not an S3 backend URL`);
            }
            if (w.foundation?.outputs.stateBucket !== bucket) {
                return w.fail(
                    `bucket ${bucket} does not exist (the foundation creates ${String(w.foundation?.outputs.stateBucket ?? "its bucket on its first up")})`,
                );
            }
            w.backend = url;
            w.selectedBy.clear();
            return `Logged in to ${url}`;
        }
        case "stack init": {
            const stack = c.positionals[0] ?? (typeof flags["--stack"] === "string" ? flags["--stack"] : w.fail("stack init needs a name"));
            const name = w.qualified(stack);
            const stacks = w.stacks();
            if (stacks.has(name)) {
                return w.fail(`stack ${name} already exists`);
            }
            const file = w.readStackFile(stack);
            const provider =
                typeof flags["--secrets-provider"] === "string" ? flags["--secrets-provider"] : (file.secretsprovider ?? "passphrase");
            if (provider === "passphrase") {
                w.checkKey("passphrase", ADMIN_ROLE, "admin", [], `stack init ${stack}`);
                file.encryptionsalt ??= "v1:stand-in-salt";
                delete file.secretsprovider;
                delete file.encryptedkey;
            } else if (file.secretsprovider === provider && file.encryptedkey) {
                // The CLI reuses the stack file's data key: it only decrypts it.
                w.checkKey(provider, ADMIN_ROLE, "admin", ["kms:Decrypt"], `stack init ${stack}`);
            } else {
                // A new data key: encrypted with the key, then decrypted back (pulumi/pulumi pkg/secrets/cloud).
                w.checkKey(provider, ADMIN_ROLE, "admin", ["kms:Encrypt", "kms:Decrypt"], `stack init ${stack}`);
                file.secretsprovider = provider;
                file.encryptedkey = "c3RhbmQtaW4gZGF0YSBrZXk=";
                delete file.encryptionsalt;
            }
            w.writeStackFile(stack, file);
            stacks.set(name, { project: w.project().name, stack, secretsProvider: provider });
            w.selected = name;
            return `Created stack '${stack}'`;
        }
        case "stack select": {
            const name = w.qualified(c.positionals[0] ?? String(flags["--stack"]));
            if (!w.stacks().has(name)) {
                return w.fail(`no stack named ${name} in ${w.backend}`);
            }
            w.selected = name;
            return "";
        }
        case "stack rm": {
            const record = c.positionals[0] ? w.stacks().get(w.qualified(c.positionals[0])) : w.current(flags);
            if (!record) {
                return w.fail(`no stack ${c.positionals[0]}`);
            }
            if (!flags["--yes"]) {
                return w.fail("stack rm asks for confirmation: a non-interactive command needs --yes");
            }
            if (record.resources?.length && !flags["--force"]) {
                return w.fail("the stack still has resources: --force removes it anyway (its resources stay)");
            }
            w.stacks().delete(`${ORG}/${record.project}/${record.stack}`);
            if (!flags["--preserve-config"]) {
                w.files.delete(w.stackFilePath(record.stack));
            }
            w.selected = undefined;
            return "";
        }
        case "stack tag set":
            return w.fail("the S3 (DIY) backend does not support stack tags: pulumi stack tag set is refused");
        case "config set": {
            const record = w.current(flags);
            const [rawKey, value] = c.positionals;
            if (value === undefined) {
                return w.fail("config set without a value reads it from a prompt: give the value");
            }
            const key = rawKey.includes(":") ? rawKey : `${record.project}:${rawKey}`;
            const file = w.readStackFile(record.stack);
            file.config = { ...file.config, [key]: value };
            w.writeStackFile(record.stack, file);
            return "";
        }
        case "up":
        case "preview": {
            const record = w.current(flags);
            const file = w.readStackFile(record.stack);
            w.checkKey(
                record.secretsProvider,
                ADMIN_ROLE,
                "admin",
                record.secretsProvider === "passphrase" ? [] : ["kms:Decrypt"],
                `${c.command} ${record.stack}`,
            );
            if (record.project !== "ciplatform-foundation") {
                return w.fail(
                    `${c.command} of a platform stack from a workstation cannot reach the private cluster endpoint: the pipeline runs it`,
                );
            }
            if (c.command === "up" && !flags["--yes"]) {
                return w.fail("up asks for confirmation: a non-interactive command needs --yes");
            }
            const repoFile = YAML.parse(
                fs.readFileSync(path.join(PROJECT_ROOT, "foundation", `Pulumi.${record.stack}.yaml`), "utf8"),
            ) as StackFile;
            const changes = Object.fromEntries(Object.entries(file.config).filter(([k, v]) => repoFile.config[k] !== v));
            let planned: Foundation;
            try {
                planned = await w.plan(changes);
            } catch (err) {
                return w.fail(`the foundation's program fails: ${(err as Error).message.split("\n").slice(0, 4).join(" ")}`);
            }
            if (c.command === "preview") {
                if (!record.resources) {
                    return w.fail("preview of a stack that was never deployed would create everything again: its state is missing");
                }
                return "no changes";
            }
            w.foundation = planned;
            record.outputs = planned.outputs;
            record.resources = [...planned.resources];
            return "Update succeeded";
        }
        case "stack output": {
            const record = w.current(flags);
            if (!record.outputs) {
                return w.fail(`stack ${record.stack} has no outputs (it was never deployed, or its state was not imported)`);
            }
            const name = c.positionals[0];
            if (name === undefined) {
                return JSON.stringify(record.outputs);
            }
            if (!(name in record.outputs)) {
                return w.fail(
                    `current stack does not have output property '${name}' (its outputs: ${Object.keys(record.outputs).join(", ")})`,
                );
            }
            const value = record.outputs[name];
            if (name === "ciVariables" && w.step && w.ciMarker) {
                w.ciVariables = value as Record<string, string>;
            }
            return flags["--json"] || typeof value !== "string" ? JSON.stringify(value, null, 2) : value;
        }
        case "stack change-secrets-provider": {
            const record = w.current(flags);
            const provider = c.positionals[0];
            w.checkKey(
                record.secretsProvider,
                ADMIN_ROLE,
                "admin",
                record.secretsProvider === "passphrase" ? [] : ["kms:Decrypt"],
                "decrypt the current secrets",
            );
            w.checkKey(provider, ADMIN_ROLE, "admin", ["kms:Encrypt", "kms:Decrypt"], "re-encrypt with the new provider");
            const file = w.readStackFile(record.stack);
            file.secretsprovider = provider;
            file.encryptedkey = "c3RhbmQtaW4gZGF0YSBrZXk=";
            delete file.encryptionsalt;
            w.writeStackFile(record.stack, file);
            record.secretsProvider = provider;
            return "";
        }
        case "stack export": {
            const record = w.current(flags);
            const out = typeof flags["--file"] === "string" ? flags["--file"] : undefined;
            const checkpoint = JSON.stringify({
                secretsProvider: record.secretsProvider,
                outputs: record.outputs,
                resources: record.resources,
            });
            if (out) {
                w.files.set(path.join(path.relative(PROJECT_ROOT, w.cwd), out), checkpoint);
                return "";
            }
            return checkpoint;
        }
        case "stack import": {
            const record = w.current(flags);
            const file =
                typeof flags["--file"] === "string"
                    ? path.join(path.relative(PROJECT_ROOT, w.cwd), flags["--file"])
                    : w.fail("stack import reads stdin: give --file");
            const text = w.files.get(file) ?? w.fail(`${flags["--file"]} does not exist`);
            const checkpoint = JSON.parse(text) as {
                secretsProvider: string;
                outputs?: Record<string, unknown>;
                resources?: PlannedResource[];
            };
            w.checkKey(
                checkpoint.secretsProvider,
                ADMIN_ROLE,
                "admin",
                checkpoint.secretsProvider === "passphrase" ? [] : ["kms:Decrypt"],
                "import the checkpoint's secrets",
            );
            record.outputs = checkpoint.outputs;
            record.resources = checkpoint.resources;
            record.secretsProvider = checkpoint.secretsProvider;
            return "Import complete.";
        }
        default:
            w.current(flags);
            return "";
    }
}

function aws(w: World, c: ParsedCommand, actor: Actor): string {
    const region = typeof c.flags["--region"] === "string" ? c.flags["--region"] : (w.env.AWS_REGION ?? w.env.AWS_DEFAULT_REGION);
    if (!region && c.command !== "sts get-caller-identity" && !c.command.startsWith("s3")) {
        return w.fail("no region: set AWS_REGION or pass --region");
    }
    const query = typeof c.flags["--query"] === "string" ? c.flags["--query"] : undefined;
    const text = c.flags["--output"] === "text";
    const answer = (full: Record<string, unknown>): string => {
        if (!query) {
            return JSON.stringify(full);
        }
        const value = query.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], full);
        if (value === undefined) {
            return w.fail(`--query ${query}: no such field in the ${c.command} response`);
        }
        return text ? String(value) : JSON.stringify(value);
    };
    switch (c.command) {
        case "sts get-caller-identity":
            return answer({ Account: MOCK_ACCOUNT_ID, Arn: ADMIN_SESSION, UserId: "AROAOFFLINEPLAN:session" });
        case "sts assume-role": {
            const roleArn = String(c.flags["--role-arn"]);
            const role = w.roleOf(roleArn);
            const principal = actor === "administrator" ? ADMIN_ROLE : `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/person`;
            const decision = decide(
                { principal, action: "sts:AssumeRole", resource: roleArn },
                { identity: "admin", resource: role?.trust },
            );
            if (!decision.allowed) {
                return w.fail(`${principal} cannot assume ${roleArn}: ${decision.why}`);
            }
            return answer({ Credentials: { AccessKeyId: "ASIA", SecretAccessKey: "s", SessionToken: "t" } });
        }
        case "codeconnections create-connection": {
            if (
                !["GitLab", "GitHub", "GitLabSelfManaged", "GitHubEnterpriseServer", "Bitbucket"].includes(
                    String(c.flags["--provider-type"]),
                )
            ) {
                return w.fail(`--provider-type ${String(c.flags["--provider-type"])} is not a CodeConnections provider type`);
            }
            return answer({
                ConnectionArn: `arn:aws:codeconnections:${region}:${MOCK_ACCOUNT_ID}:connection/8d5c2f0e-4b1a-4c7e-9f3a-2e6b7d9c1a40`,
            });
        }
        default:
            return answer({});
    }
}

function git(w: World, c: ParsedCommand): string {
    switch (c.command) {
        case "switch":
            w.branch = typeof c.flags["-c"] === "string" ? c.flags["-c"] : c.positionals[0];
            w.local.set(w.branch, new Map(w.local.get("main")));
            return "";
        case "add":
            for (const file of c.positionals) {
                const rel = path.join(path.relative(PROJECT_ROOT, w.cwd), file);
                if (!w.files.has(rel)) {
                    return w.fail(`pathspec '${file}' did not match any files`);
                }
                w.staged.add(rel);
            }
            return "";
        case "commit": {
            const tree = w.local.get(w.branch) ?? new Map<string, string>();
            for (const file of w.staged) {
                tree.set(file, w.files.get(file) ?? "");
            }
            w.staged.clear();
            w.local.set(w.branch, tree);
            return "";
        }
        case "push": {
            const [remote, refspec] = c.positionals;
            if (remote !== "origin" || !refspec) {
                return w.fail("git push needs the remote and what to push (origin <branch>)");
            }
            const [src, dst] = refspec.includes(":") ? refspec.split(":") : [refspec, refspec];
            const branch = dst.replace(/^refs\/heads\//, "");
            const tree = src.startsWith("origin/") ? w.remote.get(src.slice(7)) : w.local.get(src);
            if (!tree) {
                return w.fail(`src refspec ${src} does not match any`);
            }
            w.remote.set(branch, new Map(tree));
            runPipeline(w, "push", branch);
            return "";
        }
        default:
            return "";
    }
}

// ---------------------------------------------------------------------------------------------
// The pipelines the guide's steps start, job by job: the runner, the role, the key, the backend.

function runPipeline(w: World, event: "push" | "merge_request", branch: string): void {
    const tree = w.remote.get(branch);
    if (!tree) {
        w.note(`the ${event} pipeline of ${branch}: the branch was never pushed`);
        return;
    }
    const project = String(
        YAML.parse(tree.get("foundation/Pulumi.account.yaml") ?? "{}")?.config?.["ciplatform-foundation:ciProject"] ?? "",
    );
    const predefined: Variables =
        event === "merge_request"
            ? {
                  CI_PIPELINE_SOURCE: "merge_request_event",
                  CI_MERGE_REQUEST_IID: "1",
                  CI_COMMIT_REF_NAME: branch,
                  CI_COMMIT_REF_PROTECTED: String(w.protectedBranches.has(branch)),
                  CI_DEFAULT_BRANCH: "main",
              }
            : {
                  CI_PIPELINE_SOURCE: "push",
                  CI_COMMIT_BRANCH: branch,
                  CI_COMMIT_REF_NAME: branch,
                  CI_COMMIT_REF_PROTECTED: String(w.protectedBranches.has(branch)),
                  CI_DEFAULT_BRANCH: "main",
              };
    const outcome = gitlabPipelineFor(w.pipeline, predefined);
    // A push to the ref an environment deploys from must deploy it (the deploy role trusts exactly that ref).
    const foundationConfig = (YAML.parse(tree.get("foundation/Pulumi.account.yaml") ?? "{}") as StackFile).config ?? {};
    const protectedBranch = String(foundationConfig["ciplatform-foundation:ciProtectedBranch"] ?? "main");
    for (const environment of ["dev", "staging", "prod"]) {
        const ref = deployRefFor({ protectedBranch }, environment).replace(/^ref_type:branch:ref:/, "");
        if (event === "push" && branch === ref && !outcome.jobs.some((j) => (j.job.script ?? []).some((l) => /^pulumi up\b/.test(l)))) {
            w.note(
                `no deploy job runs: ${environment} deploys from ${ref}, and its pipeline creates none (is ${ref} protected?)`,
                `push pipeline of ${branch}`,
            );
        }
    }
    const variables = Object.entries(w.ciVariables ?? {}).map(([name, value]) => ({
        name,
        value,
        protected: GITLAB_VARIABLES.find((v) => v.name === name)?.protected ?? false,
    }));
    for (const { name, job } of outcome.jobs.filter((j) => j.job.id_tokens)) {
        w.jobsChecked.push(`${event} ${branch} ${name}`);
        try {
            checkJob(w, event, branch, name, job, predefined, variables, project, tree);
        } catch (err) {
            w.note((err as Error).message, `${event} pipeline of ${branch}, job ${name}`);
        }
    }
}

function checkJob(
    w: World,
    event: string,
    branch: string,
    name: string,
    job: GitlabJob,
    predefined: Variables,
    variables: Array<{ name: string; value: string; protected: boolean }>,
    project: string,
    tree: ReadonlyMap<string, string>,
): void {
    {
        const where = `${event} pipeline of ${branch}, job ${name}`;
        const fail = (why: string): void => w.note(why, where);
        const label = job.tags?.[0] ?? "";
        const codebuild = /^codebuild-(.+)-\$CI_PROJECT_ID-\$CI_PIPELINE_IID-\$CI_JOB_NAME$/.exec(label)?.[1];
        if (!codebuild || !w.resources().some((r) => r.type === "aws:codebuild/project:Project" && r.inputs.name === codebuild)) {
            fail(`no runner takes it: its tag ${label} names no CodeBuild project of the foundation`);
            return;
        }
        const roleArn = jobVariable(w.pipeline, job, "ROLE_ARN", predefined, variables);
        const stackName = jobVariable(w.pipeline, job, "STACK", predefined, variables);
        if (!roleArn) {
            fail("ROLE_ARN is empty: the variable is not set, or protected and withheld from this pipeline");
            return;
        }
        const role = w.roleOf(roleArn);
        if (!role) {
            fail(`${roleArn} is not a role the foundation created`);
            return;
        }
        const aud = Object.values(job.id_tokens ?? {})[0]?.aud ?? "";
        const oidc = w.resources().find((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
        const issuer = String(oidc?.inputs.url ?? "").replace(/^https:\/\//, "");
        const request: IamRequest = {
            principal: `federated:arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/${issuer}`,
            action: "sts:AssumeRoleWithWebIdentity",
            resource: roleArn,
            context: { [`${issuer}:aud`]: aud, [`${issuer}:sub`]: `project_path:${project}:ref_type:branch:ref:${branch}` },
        };
        const trust = decide(request, { identity: [], resource: role.trust });
        if (!trust.allowed) {
            fail(`its token (aud ${aud}, ref ${branch}) cannot assume ${roleArn}: ${trust.why}`);
            return;
        }
        const seconds = Number(jobVariable(w.pipeline, job, "SESSION_SECONDS", predefined, variables) || 3600);
        if (seconds > role.maxSessionDuration) {
            fail(`it asks for a ${seconds}s session; ${roleArn} allows ${role.maxSessionDuration}s`);
        }
        const stackFile = YAML.parse(tree.get(`Pulumi.${stackName}.yaml`) ?? "{}") as StackFile;
        if (!stackFile.secretsprovider?.startsWith("awskms://") || !stackFile.encryptedkey) {
            fail(
                `Pulumi.${stackName}.yaml on ${branch} has no KMS secrets provider and data key: .ci/check-stack-file stops the job (the CLI would fall back to the passphrase provider)`,
            );
            return;
        }
        const backendUrl = jobVariable(w.pipeline, job, "PULUMI_BACKEND_URL", predefined, variables);
        const stacks = w.backends.get(backendUrl);
        if (!stacks?.has(`${ORG}/ciplatform/${stackName}`)) {
            fail(
                `stack ${stackName} does not exist in the backend the job logs in to (${backendUrl || "none: CIPLATFORM_STATE_URL is empty"})`,
            );
            return;
        }
        const bucket = /^s3:\/\/([^?/]+)/.exec(backendUrl)?.[1] ?? "";
        const identity = role.policies;
        const principal = roleArn;
        const keyActions = /deploy/.test(name) || /^up-/.test(name) ? ["kms:Encrypt", "kms:Decrypt"] : ["kms:Decrypt"];
        try {
            w.checkKey(stackFile.secretsprovider, principal, identity, keyActions, `${stackName}'s secrets`);
        } catch (err) {
            fail((err as Error).message);
        }
        for (const object of [`.pulumi/stacks/ciplatform/${stackName}.json`, ".pulumi/meta.yaml"]) {
            const read = decide({ principal, action: "s3:GetObject", resource: `arn:aws:s3:::${bucket}/${object}` }, { identity });
            if (!read.allowed) {
                fail(`it cannot read its state ${object}: ${read.why}`);
            }
        }
        // The platform's StackReference to the foundation: same backend, its checkpoint readable, its secrets decryptable.
        const reference = String(
            (YAML.parse(tree.get(`Pulumi.${stackName}.yaml`) ?? "{}") as StackFile).config?.["ciplatform:foundationStack"] ??
                `${ORG}/ciplatform-foundation/account`,
        );
        const foundation = stacks.get(reference);
        if (!foundation) {
            fail(
                `its StackReference ${reference} cannot be reached: no such stack in ${backendUrl} (a stack reference cannot cross backends)`,
            );
            return;
        }
        const [, refProject, refStack] = reference.split("/");
        const checkpoint = decide(
            { principal, action: "s3:GetObject", resource: `arn:aws:s3:::${bucket}/.pulumi/stacks/${refProject}/${refStack}.json` },
            { identity },
        );
        if (!checkpoint.allowed) {
            fail(`its StackReference ${reference} cannot be read: ${checkpoint.why}`);
        }
        try {
            w.checkKey(
                foundation.secretsProvider,
                principal,
                identity,
                ["kms:Decrypt"],
                `the foundation's checkpoint (StackReference ${reference})`,
            );
        } catch (err) {
            fail((err as Error).message);
        }
    }
}

/** Runs one line of the guide in the world. */
async function runLine(w: World, line: string, actor: Actor): Promise<string> {
    const assignment = /^(?:export\s+)?([A-Za-z_]\w*)=(.*)$/.exec(line);
    const substitute = (inner: string): string => {
        throw new SubstitutionNeeded(inner);
    };
    // Command substitutions are run first, in order (each is a command of its own).
    let resolved = line;
    for (;;) {
        try {
            const words = splitCommand(assignment ? assignment[2] : resolved, (name) => w.env[name] ?? "", substitute);
            if (assignment) {
                if (words.length > 1) {
                    return w.fail(`${assignment[1]}=… expands to several words; quote it`);
                }
                w.env[assignment[1]] = words[0] ?? "";
                return "";
            }
            return await runWords(w, words, actor);
        } catch (err) {
            if (!(err instanceof SubstitutionNeeded)) {
                throw err;
            }
            const output = await runLine(w, err.inner, actor);
            const target = assignment ? assignment[2] : resolved;
            const replaced = target.replace(`$(${err.inner})`, output.replace(/\n+$/, "").replace(/(["\\$`])/g, "\\$1"));
            if (assignment) {
                return runLine(w, `${assignment[1]}=${replaced}`, actor);
            }
            resolved = replaced;
        }
    }
}

class SubstitutionNeeded extends Error {
    constructor(readonly inner: string) {
        super(inner);
    }
}

async function runWords(w: World, words: string[], actor: Actor): Promise<string> {
    let parsed: ParsedCommand;
    try {
        parsed = parseCommand(words);
    } catch (err) {
        return w.fail(`command does not exist as written: ${(err as Error).message}`);
    }
    if ((parsed.tool === "pulumi" || parsed.tool === "aws") && actor === "developer") {
        return w.fail(
            `${parsed.tool} needs AWS credentials, and the person this step names has none (only administrators act in the account)`,
        );
    }
    switch (parsed.tool) {
        case "cd": {
            const target = path.resolve(w.cwd, parsed.positionals[0]);
            if (!fs.existsSync(target) || !target.startsWith(PROJECT_ROOT)) {
                return w.fail(`cd: ${parsed.positionals[0]}: no such directory in the repository`);
            }
            w.cwd = target;
            return "";
        }
        case "pulumi":
            return pulumi(w, parsed);
        case "aws":
            return aws(w, parsed, actor);
        case "git":
            return git(w, parsed);
        case "openssl":
            return "c3RhbmQtaW4gcGFzc3BocmFzZQ==";
        case "rm":
            for (const file of parsed.positionals) {
                w.files.delete(path.join(path.relative(PROJECT_ROOT, w.cwd), file));
            }
            return "";
        default:
            return "";
    }
}

export interface BootstrapOptions {
    /** The guide's text. @default docs/empty-account.md */
    readonly guide?: string;
    /** How the foundation is planned (the offline engine by default); tests may wrap it. */
    readonly planFoundation?: (configChanges: Record<string, unknown>) => Promise<Foundation>;
}

/** Plans the foundation with the guide's config through the offline engine (Pulumi's loader, the real program). */
export function planFoundation(configChanges: Record<string, unknown>): Promise<Foundation> {
    // The same config plans the same foundation: one plan per config and process (an `up`, then its preview).
    const key = JSON.stringify(configChanges);
    if (!foundationPlans.has(key)) {
        foundationPlans.set(key, planFoundationOnce(configChanges));
    }
    return foundationPlans.get(key) as Promise<Foundation>;
}

const foundationPlans = new Map<string, Promise<Foundation>>();

async function planFoundationOnce(configChanges: Record<string, unknown>): Promise<Foundation> {
    const planned = await runPlan({ project: "foundation", stack: "account", configChanges });
    if (planned.summary.mandatory > 0) {
        throw new Error(`the policy pack refuses the foundation: ${planned.policy.violations.map((v) => v.message).join("; ")}`);
    }
    return { resources: planned.resources, outputs: planned.outputs };
}

/** Walks the guide; returns what a person or a job could not do as written (empty: the guide works). */
export async function rehearseBootstrap(options: BootstrapOptions = {}): Promise<BootstrapFinding[]> {
    return (await rehearseBootstrapDetailed(options)).findings;
}

export interface BootstrapReport {
    readonly findings: BootstrapFinding[];
    /** Every command run, by step. */
    readonly commands: ReadonlyArray<{ step: string; command: string }>;
    readonly jobsChecked: readonly string[];
}

export async function rehearseBootstrapDetailed(options: BootstrapOptions = {}): Promise<BootstrapReport> {
    const commands: Array<{ step: string; command: string }> = [];
    const guide = options.guide ?? fs.readFileSync(path.join(PROJECT_ROOT, "docs", "empty-account.md"), "utf8");
    const region = String(
        (YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "foundation", "Pulumi.account.yaml"), "utf8")) as StackFile).config[
            "aws:region"
        ],
    );
    const w = new World(region, options.planFoundation ?? planFoundation);
    let steps: GuideStep[];
    try {
        steps = readGuide(guide);
    } catch (err) {
        return { findings: [{ step: "guide", command: "", why: (err as Error).message }], commands, jobsChecked: [] };
    }
    for (const step of steps) {
        w.step = step.id;
        const actor = actorOf(step);
        w.ciMarker = step.markers.some((m) => m[0] === "ci-variables") || /ciVariables/.test(step.commands.join("\n"));
        // A recovery case starts in a fresh shell, at the top of the clone, after the bootstrap.
        if (step.recovery) {
            w.cwd = PROJECT_ROOT;
        }
        for (const line of step.commands) {
            w.command = line;
            commands.push({ step: step.id, command: line });
            try {
                await runLine(w, line, actor);
            } catch (err) {
                if (err instanceof StepFailure || err instanceof Error) {
                    w.note(err.message);
                    break;
                }
                throw err;
            }
        }
        for (const marker of step.markers) {
            w.command = `<!-- rehearse: ${marker.join(" ")} -->`;
            if (marker[0] === "protect") {
                marker.slice(1).forEach((b) => w.protectedBranches.add(b));
            } else if (marker[0] === "pipeline") {
                const [, event, branch] = marker;
                if (event === "merge_request") {
                    runPipeline(w, "merge_request", branch);
                } else {
                    // Merging the open merge request into the target branch.
                    const source = [...w.remote.keys()].find((b) => b !== branch && b !== "main") ?? branch;
                    w.remote.set(branch, new Map(w.remote.get(source)));
                    runPipeline(w, "push", branch);
                }
            }
        }
    }
    if (!w.foundation) {
        w.findings.push({ step: "end", command: "", why: "the guide never deploys the foundation (pulumi up in foundation/)" });
    }
    return { findings: w.findings, commands, jobsChecked: w.jobsChecked };
}
