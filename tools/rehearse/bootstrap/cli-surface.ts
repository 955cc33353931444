/**
 * The command-line surface the guide may use, so a command or flag that does not exist fails the
 * rehearsal. Only the commands a bootstrap or a recovery needs are listed; a command missing here is
 * reported, and is added with its source.
 *
 * Sources: Pulumi CLI v3.270 (pulumi/pulumi `pkg/cmd/pulumi/` — login, stack/*, config, up, preview;
 * the pinned version is the SDK's, see .ci/install-pulumi); AWS CLI v2 command reference (sts,
 * codeconnections, s3, s3api, eks, codebuild); git, npm, openssl, kubectl and helm manuals.
 */

type FlagKind = "value" | "bool";

interface CommandSpec {
    /** Flags, by long name (`--name`) and short alias (`-n`); values of aliases are the long name. */
    readonly flags: Readonly<Record<string, FlagKind>>;
    readonly aliases?: Readonly<Record<string, string>>;
    /** Positional arguments: [min, max]. */
    readonly positionals: readonly [number, number];
}

const spec = (flags: Record<string, FlagKind>, positionals: [number, number], aliases: Record<string, string> = {}): CommandSpec => ({
    flags,
    positionals,
    aliases,
});

const PULUMI_GLOBAL: Record<string, FlagKind> = {
    "--cwd": "value",
    "--non-interactive": "bool",
    "--color": "value",
    "--verbose": "value",
    "--logtostderr": "bool",
};
const PULUMI_GLOBAL_ALIASES = { "-C": "--cwd", "-v": "--verbose" };
const STACK = { "--stack": "value" as const };
const S = { "-s": "--stack" };

const PULUMI: Readonly<Record<string, CommandSpec>> = {
    login: spec({ "--local": "bool", "--cloud-url": "value", "--default-org": "value", "--insecure": "bool" }, [0, 1], {
        "-l": "--local",
        "-c": "--cloud-url",
    }),
    logout: spec({ "--all": "bool", "--local": "bool", "--cloud-url": "value" }, [0, 1], { "-l": "--local", "-c": "--cloud-url" }),
    whoami: spec({ "--json": "bool", "--verbose": "bool" }, [0, 0], { "-j": "--json", "-v": "--verbose" }),
    version: spec({}, [0, 0]),
    "stack init": spec(
        { ...STACK, "--secrets-provider": "value", "--copy-config-from": "value", "--no-select": "bool", "--teams": "value" },
        [0, 1],
        S,
    ),
    "stack select": spec({ ...STACK, "--create": "bool", "--secrets-provider": "value" }, [0, 1], { ...S, "-c": "--create" }),
    "stack ls": spec({ "--all": "bool", "--json": "bool", "--organization": "value", "--project": "value", "--tag": "value" }, [0, 0], {
        "-a": "--all",
        "-j": "--json",
        "-o": "--organization",
        "-p": "--project",
        "-t": "--tag",
    }),
    "stack rm": spec({ ...STACK, "--force": "bool", "--yes": "bool", "--preserve-config": "bool", "--remove-backups": "bool" }, [0, 1], {
        ...S,
        "-f": "--force",
        "-y": "--yes",
    }),
    "stack output": spec({ ...STACK, "--json": "bool", "--show-secrets": "bool", "--shell": "bool" }, [0, 1], { ...S, "-j": "--json" }),
    "stack export": spec({ ...STACK, "--file": "value", "--show-secrets": "bool", "--version": "value" }, [0, 0], S),
    "stack import": spec({ ...STACK, "--file": "value", "--force": "bool" }, [0, 0], { ...S, "-f": "--force" }),
    "stack change-secrets-provider": spec(STACK, [1, 1], S),
    "stack tag set": spec(STACK, [2, 2], S),
    "stack tag ls": spec({ ...STACK, "--json": "bool" }, [0, 0], { ...S, "-j": "--json" }),
    "config set": spec(
        { ...STACK, "--secret": "bool", "--plaintext": "bool", "--path": "bool", "--config-file": "value", "--type": "value" },
        [1, 2],
        S,
    ),
    "config get": spec({ ...STACK, "--json": "bool", "--path": "bool", "--config-file": "value" }, [1, 1], { ...S, "-j": "--json" }),
    up: spec(
        {
            ...STACK,
            "--yes": "bool",
            "--skip-preview": "bool",
            "--policy-pack": "value",
            "--policy-pack-config": "value",
            "--diff": "bool",
            "--refresh": "bool",
            "--target": "value",
            "--message": "value",
            "--parallel": "value",
            "--suppress-outputs": "bool",
            "--config": "value",
        },
        [0, 1],
        {
            ...S,
            "-y": "--yes",
            "-f": "--skip-preview",
            "-r": "--refresh",
            "-t": "--target",
            "-m": "--message",
            "-p": "--parallel",
            "-c": "--config",
        },
    ),
    preview: spec(
        {
            ...STACK,
            "--policy-pack": "value",
            "--policy-pack-config": "value",
            "--diff": "bool",
            "--refresh": "bool",
            "--json": "bool",
            "--expect-no-changes": "bool",
            "--target": "value",
            "--config": "value",
        },
        [0, 1],
        { ...S, "-r": "--refresh", "-j": "--json", "-t": "--target", "-c": "--config" },
    ),
    refresh: spec({ ...STACK, "--yes": "bool", "--skip-preview": "bool", "--clear-pending-creates": "bool" }, [0, 0], {
        ...S,
        "-y": "--yes",
        "-f": "--skip-preview",
    }),
};

const AWS_GLOBAL: Record<string, FlagKind> = {
    "--region": "value",
    "--query": "value",
    "--output": "value",
    "--profile": "value",
    "--no-cli-pager": "bool",
    "--debug": "bool",
};

const AWS: Readonly<Record<string, CommandSpec>> = {
    "sts get-caller-identity": spec({}, [0, 0]),
    "sts assume-role": spec(
        { "--role-arn": "value", "--role-session-name": "value", "--duration-seconds": "value", "--external-id": "value" },
        [0, 0],
    ),
    "codeconnections create-connection": spec(
        { "--provider-type": "value", "--connection-name": "value", "--host-arn": "value", "--tags": "value" },
        [0, 0],
    ),
    "codeconnections list-connections": spec(
        { "--provider-type-filter": "value", "--host-arn-filter": "value", "--max-results": "value" },
        [0, 0],
    ),
    "codeconnections get-connection": spec({ "--connection-arn": "value" }, [0, 0]),
    "s3 ls": spec({ "--recursive": "bool" }, [0, 1]),
    "s3 rm": spec({ "--recursive": "bool", "--dryrun": "bool" }, [1, 1]),
    "s3api list-object-versions": spec({ "--bucket": "value", "--prefix": "value" }, [0, 0]),
    "eks update-kubeconfig": spec({ "--name": "value", "--role-arn": "value", "--alias": "value", "--kubeconfig": "value" }, [0, 0]),
    "codebuild list-builds-for-project": spec({ "--project-name": "value", "--sort-order": "value" }, [0, 0]),
    "codebuild batch-get-projects": spec({ "--names": "value" }, [0, 0]),
};

const OTHER: Readonly<Record<string, CommandSpec>> = {
    "npm ci": spec({ "--no-audit": "bool", "--no-fund": "bool" }, [0, 0]),
    "openssl rand": spec({ "-base64": "bool", "-hex": "bool" }, [1, 1]),
    "git switch": spec({ "-c": "value", "--create": "value" }, [0, 1]),
    "git add": spec({}, [1, 20]),
    "git commit": spec({ "-m": "value", "--message": "value" }, [0, 0]),
    "git push": spec({ "-u": "bool", "--set-upstream": "bool" }, [1, 3]),
    "git fetch": spec({}, [0, 1]),
    "kubectl get": spec({ "--all-namespaces": "bool", "--namespace": "value", "-A": "bool", "-n": "value" }, [1, 2]),
    "helm history": spec({ "--namespace": "value" }, [1, 1], { "-n": "--namespace" }),
    "helm rollback": spec({ "--namespace": "value", "--wait": "bool" }, [1, 2], { "-n": "--namespace" }),
    rm: spec({ "-f": "bool" }, [1, 20]),
    cd: spec({}, [1, 1]),
};

export interface ParsedCommand {
    readonly tool: string;
    /** The subcommand path, e.g. `stack init`. */
    readonly command: string;
    readonly positionals: string[];
    readonly flags: Record<string, string | true>;
}

/** Parses a command against the surface; throws with what a shell would print when it does not exist. */
export function parseCommand(argv: readonly string[]): ParsedCommand {
    const [tool, ...rest] = argv;
    const tables: Record<
        string,
        { table: Readonly<Record<string, CommandSpec>>; global: Record<string, FlagKind>; globalAliases: Record<string, string> }
    > = {
        pulumi: { table: PULUMI, global: PULUMI_GLOBAL, globalAliases: PULUMI_GLOBAL_ALIASES },
        aws: { table: AWS, global: AWS_GLOBAL, globalAliases: {} },
    };
    const entry = tables[tool] ?? {
        table: Object.fromEntries(
            Object.entries(OTHER)
                .filter(([k]) => k.split(" ")[0] === tool)
                .map(([k, v]) => [k.split(" ").slice(1).join(" "), v]),
        ),
        global: {},
        globalAliases: {},
    };
    // Longest subcommand path the table knows.
    const words = rest.filter((w) => !w.startsWith("-"));
    let command: string | undefined;
    for (let n = Math.min(3, words.length); n >= 0; n--) {
        const candidate = rest.slice(0, n).join(" ");
        if (rest.slice(0, n).every((w) => !w.startsWith("-")) && entry.table[candidate]) {
            command = candidate;
            break;
        }
    }
    if (command === undefined) {
        throw new Error(
            `${tool} ${rest.slice(0, 2).join(" ")}: no such command (known: ${
                Object.keys(entry.table)
                    .map((c) => `${tool} ${c}`.trim())
                    .join(", ") || "none"
            })`,
        );
    }
    const c = entry.table[command];
    const args = rest.slice(command === "" ? 0 : command.split(" ").length);
    const positionals: string[] = [];
    const flags: Record<string, string | true> = {};
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (!arg.startsWith("-") || arg === "-") {
            positionals.push(arg);
            continue;
        }
        const [rawName, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
        const name = c.aliases?.[rawName] ?? entry.globalAliases[rawName] ?? rawName;
        const kind = c.flags[name] ?? entry.global[name];
        if (!kind) {
            throw new Error(`${tool} ${command}: unknown flag ${rawName}`);
        }
        if (kind === "bool") {
            flags[name] = inline === undefined ? true : inline;
        } else {
            const value = inline ?? args[++i];
            if (value === undefined) {
                throw new Error(`${tool} ${command}: flag ${rawName} needs a value`);
            }
            flags[name] = value;
        }
    }
    if (positionals.length < c.positionals[0] || positionals.length > c.positionals[1]) {
        throw new Error(
            `${tool} ${command}: takes ${c.positionals[0]}-${c.positionals[1]} arguments, got ${positionals.length} (${positionals.join(" ")})`,
        );
    }
    return { tool, command, positionals, flags };
}
