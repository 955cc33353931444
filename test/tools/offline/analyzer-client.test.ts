import { strict as assert } from "node:assert";
import { diagnosticsOnly, PolicyHost } from "../../../tools/offline/analyzer";
import { analyzerProto, analyzerRpc, bindLoopback, emptyProto, grpc, structProto } from "../../../tools/offline/grpc";

type Callback = (err: null, value: unknown) => void;
type Call<R> = { request: R };
type AnalyzeRequest = import("@pulumi/pulumi/proto/analyzer_pb").AnalyzeRequest;
type AnalyzeStackRequest = import("@pulumi/pulumi/proto/analyzer_pb").AnalyzeStackRequest;
type AnalyzerInfo = import("@pulumi/pulumi/proto/analyzer_pb").AnalyzerInfo;

/**
 * Serves a fake pack over gRPC (`GetAnalyzerInfo`, `ConfigureStack` and `Configure` answered as a pack answers them,
 * `handlers` for the calls under test), connects a `PolicyHost` to it and runs `use`.
 */
async function withFakePack(
    handlers: import("@grpc/grpc-js").UntypedServiceImplementation,
    use: (host: PolicyHost) => Promise<void>,
    {
        info = probeInfo(),
        service = analyzerRpc.AnalyzerService,
    }: { info?: AnalyzerInfo; service?: import("@grpc/grpc-js").ServiceDefinition } = {},
): Promise<void> {
    // The Empty class the generated service's serializer accepts (its own copy of google-protobuf's).
    const Empty = (analyzerRpc.AnalyzerService.configure as unknown as { responseType: typeof emptyProto.Empty }).responseType;
    const server = new grpc.Server();
    server.addService(service, {
        getAnalyzerInfo: (_: unknown, done: Callback) => done(null, info),
        configureStack: (_: unknown, done: Callback) => done(null, new analyzerProto.AnalyzerStackConfigureResponse()),
        configure: (_: unknown, done: Callback) => done(null, new Empty()),
        ...handlers,
    });
    const address = await bindLoopback(server);
    try {
        const host = await PolicyHost.connect(address);
        try {
            await use(host);
        } finally {
            host.stop();
        }
    } finally {
        server.forceShutdown();
    }
}

function probeInfo(): AnalyzerInfo {
    const info = new analyzerProto.AnalyzerInfo();
    info.setName("probe-pack");
    return info;
}

/** A response as the host sends one: findings, the not-applicable records of the policies left out, and a field added later. */
function hostResponse(): Uint8Array {
    const response = new analyzerProto.AnalyzeResponse();
    for (const [policy, message] of [
        ["eks-cluster-deny-public-endpoint", 'cluster "a" serves its API endpoint publicly'],
        ["s3-bucket-require-kms-and-tls", 'bucket "b" accepts plain-HTTP requests ✓ ünïcode'],
    ]) {
        const d = new analyzerProto.AnalyzeDiagnostic();
        d.setPolicyname(policy);
        d.setPolicypackname("ciplatform");
        d.setPolicypackversion("0.1.0");
        d.setDescription(`${policy} description`);
        d.setMessage(message);
        d.setEnforcementlevel(analyzerProto.EnforcementLevel.MANDATORY);
        d.setUrn(`urn:pulumi:dev::p::t::${policy}`);
        response.addDiagnostics(d);
    }
    for (const name of ["sqs-queue-require-encryption", "kms-key-require-rotation"]) {
        const record = new analyzerProto.PolicyNotApplicable();
        record.setPolicyName(name);
        record.setReason("other resource type");
        response.addNotApplicable(record);
    }
    const bytes = response.serializeBinary();
    // An unknown field (a newer engine's): field 15, length-delimited "x".
    return new Uint8Array([...bytes, (15 << 3) | 2, 1, 0x78]);
}

const fields = (r: import("@pulumi/pulumi/proto/analyzer_pb").AnalyzeResponse) => r.getDiagnosticsList().map((d) => d.toObject());

describe("the offline engine's analyzer client (tools/offline/analyzer.ts)", () => {
    it("decodes a response's diagnostics exactly as the generated decoder does, and skips the not-applicable records", () => {
        const bytes = hostResponse();
        const full = analyzerProto.AnalyzeResponse.deserializeBinary(bytes);
        assert.equal(full.getNotApplicableList().length, 2);
        const lean = diagnosticsOnly(bytes);
        assert.equal(lean.getDiagnosticsList().length, 2);
        assert.deepEqual(fields(lean), fields(full));
        assert.deepEqual(lean.getNotApplicableList(), []);
    });

    it("decodes a response without findings to none", () => {
        const quiet = new analyzerProto.AnalyzeResponse();
        const record = new analyzerProto.PolicyNotApplicable();
        record.setPolicyName("p");
        quiet.addNotApplicable(record);
        assert.deepEqual(diagnosticsOnly(quiet.serializeBinary()).getDiagnosticsList(), []);
        assert.deepEqual(diagnosticsOnly(new Uint8Array()).getDiagnosticsList(), []);
    });

    it("is the client PolicyHost evaluates with: records it could not even decode never reach it", async () => {
        // A diagnostic, then a not-applicable record whose bytes are not a message: the generated decoder throws on it.
        const diagnostic = new analyzerProto.AnalyzeResponse();
        const d = new analyzerProto.AnalyzeDiagnostic();
        d.setPolicyname("probe");
        d.setMessage("found");
        d.setEnforcementlevel(analyzerProto.EnforcementLevel.MANDATORY);
        diagnostic.addDiagnostics(d);
        const wire = Buffer.concat([Buffer.from(diagnostic.serializeBinary()), Buffer.from([(3 << 3) | 2, 3, 0xff, 0xff, 0xff])]);
        assert.throws(() => analyzerProto.AnalyzeResponse.deserializeBinary(wire));

        const service = analyzerRpc.AnalyzerService;
        const raw = (bytes: Buffer) => ({ responseSerialize: () => bytes });
        const info = probeInfo();
        const policy = new analyzerProto.PolicyInfo();
        policy.setName("probe");
        policy.setEnforcementlevel(analyzerProto.EnforcementLevel.MANDATORY);
        info.setPoliciesList([policy]);
        await withFakePack(
            {
                analyze: (_: unknown, done: Callback) => done(null, {}),
                analyzeStack: (_: unknown, done: Callback) => done(null, {}),
            },
            async (host) => {
                const found = await host.analyze([
                    { urn: "urn:pulumi:dev::p::t::r", type: "t", name: "r", properties: {}, parent: null, protect: false, dependsOn: [] },
                ]);
                assert.deepEqual(
                    found.map((v) => [v.policy, v.message]),
                    [
                        ["probe", "found"],
                        ["probe", "found"],
                    ],
                );
            },
            {
                info,
                service: {
                    ...service,
                    analyze: { ...service.analyze, ...raw(wire) },
                    analyzeStack: { ...service.analyzeStack, ...raw(wire) },
                },
            },
        );
    });

    it("offers each resource to Remediate, then Analyze with the inputs remediated (top-level internal keys left out), one call at a time, then AnalyzeStack with the remediated state, as the engine does", async () => {
        // pulumi/pulumi pkg/resource/deploy: the deployment executor handles one event at a time, and generating a
        // resource's steps runs its remediations, then waits for its analysis (step_generator.go "First pass: perform
        // remediations sequentially", analyzeAll; analyze_snapshot.go analyzeResource).
        const seen: string[] = [];
        let inFlight = 0;
        let mostInFlight = 0;
        // Answer later: a client that does not wait would send the next request meanwhile.
        const later = (done: Callback, value: unknown) => {
            mostInFlight = Math.max(mostInFlight, ++inFlight);
            setTimeout(() => {
                inFlight--;
                done(null, value);
            }, 2);
        };
        // The provider's properties, where one is sent: top-level internal keys left out for every call (analyzer_plugin.go
        // marshalProvider, SkipInternalKeys: true).
        const providerSeen = (r: { getProvider(): import("@pulumi/pulumi/proto/analyzer_pb").AnalyzerProviderResource | undefined }) => {
            const provider = r.getProvider();
            return provider ? ` provider ${JSON.stringify(provider.getProperties()?.toJavaScript())}` : "";
        };
        const handlers = {
            remediate: (call: Call<AnalyzeRequest>, done: Callback) => {
                const name = call.request.getName();
                seen.push(`remediate ${name} ${JSON.stringify(call.request.getProperties()?.toJavaScript())}${providerSeen(call.request)}`);
                const response = new analyzerProto.RemediateResponse();
                const remediation = (change: { properties?: Record<string, unknown>; diagnostic?: string }) => {
                    const r = new analyzerProto.Remediation();
                    r.setPolicyname("probe-fix");
                    if (change.properties) {
                        r.setProperties(structProto.Struct.fromJavaScript(change.properties as Record<string, never>));
                    }
                    r.setDiagnostic(change.diagnostic ?? "");
                    response.addRemediations(r);
                };
                if (name === "r3") {
                    // Two remediations: the last one's properties are the resource's.
                    remediation({ properties: { fixed: false } });
                    remediation({ properties: { fixed: true, __defaults: ["fixed"] } });
                } else if (name === "r5") {
                    // A remediation with a diagnostic changes nothing, whatever properties it carries (the engine's
                    // step_generator.go reads the properties only of one without a diagnostic).
                    remediation({ diagnostic: "can't run remediation 'probe-fix' during preview", properties: { ignored: true } });
                }
                later(done, response);
            },
            analyze: (call: Call<AnalyzeRequest>, done: Callback) => {
                seen.push(
                    `analyze ${call.request.getName()} ${JSON.stringify(call.request.getProperties()?.toJavaScript())}${providerSeen(call.request)}`,
                );
                later(done, new analyzerProto.AnalyzeResponse());
            },
            analyzeStack: (call: Call<AnalyzeStackRequest>, done: Callback) => {
                const resources = call.request.getResourcesList();
                seen.push(`stack ${resources.map((r) => r.getName()).join(" ")} (in flight: ${inFlight})`);
                for (const r of resources.filter((r) => ["r2", "r3"].includes(r.getName()))) {
                    seen.push(`stack ${r.getName()} ${JSON.stringify(r.getProperties()?.toJavaScript())}${providerSeen(r)}`);
                }
                done(null, new analyzerProto.AnalyzeResponse());
            },
        };
        await withFakePack(handlers, async (host) => {
            const names = Array.from({ length: 8 }, (_, i) => `r${i}`);
            const found = await host.analyze(
                names.map((name) => ({
                    urn: `urn:pulumi:dev::p::t::${name}`,
                    type: "t",
                    name,
                    // A top-level internal key (a bridged provider's `__defaults`): Remediate gets it, Analyze does not.
                    properties: name === "r2" ? { __defaults: [], a: 1, nested: { __kept: true } } : {},
                    parent: null,
                    protect: false,
                    dependsOn: [],
                    // A provider's internal keys (the engine's `__internal`, providers/registry.go) reach no call.
                    ...(name === "r2"
                        ? {
                              provider: {
                                  urn: "urn:pulumi:dev::p::pulumi:providers:aws::p",
                                  type: "pulumi:providers:aws",
                                  name: "p",
                                  properties: { region: "eu-west-1", __internal: { pluginDownloadURL: "https://example.test" } },
                              },
                          }
                        : {}),
                })),
            );
            assert.equal(mostInFlight, 1);
            const provider = ' provider {"region":"eu-west-1"}';
            const analysed = (name: string) =>
                name === "r2" ? `{"a":1,"nested":{"__kept":true}}${provider}` : name === "r3" ? '{"fixed":true}' : "{}";
            assert.deepEqual(seen, [
                ...names.flatMap((name) => [
                    `remediate ${name} ${name === "r2" ? `{"__defaults":[],"a":1,"nested":{"__kept":true}}${provider}` : "{}"}`,
                    `analyze ${name} ${analysed(name)}`,
                ]),
                `stack ${names.join(" ")} (in flight: 0)`,
                `stack r2 ${analysed("r2")}`,
                `stack r3 ${analysed("r3")}`,
            ]);
            assert.deepEqual(found, [
                {
                    policy: "probe-fix",
                    enforcementLevel: "advisory",
                    urn: "urn:pulumi:dev::p::t::r5",
                    message: "can't run remediation 'probe-fix' during preview",
                },
            ]);
        });
    });

    it("sends AnalyzeStack only the property dependencies that name a resource, as the engine does", async () => {
        // pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go AnalyzeStack skips a property with no dependencies; the
        // Node SDK registers every input with its list, empty ones included (runtime/rpc.js serializeFilteredProperties).
        const sent: Array<[string, Array<[string, string[]]>]> = [];
        const handlers = {
            analyze: (_: unknown, done: Callback) => done(null, new analyzerProto.AnalyzeResponse()),
            analyzeStack: (call: Call<AnalyzeStackRequest>, done: Callback) => {
                for (const r of call.request.getResourcesList()) {
                    const deps: Array<[string, string[]]> = [];
                    r.getPropertydependenciesMap().forEach((d, key) => deps.push([key, d.getUrnsList()]));
                    sent.push([r.getName(), deps.sort(([a], [b]) => a.localeCompare(b))]);
                }
                done(null, new analyzerProto.AnalyzeResponse());
            },
        };
        await withFakePack(handlers, async (host) => {
            const key = "urn:pulumi:dev::p::aws:iam/accessKey:AccessKey::k";
            const resource = (name: string, propertyDependencies: Record<string, string[]>) => ({
                urn: `urn:pulumi:dev::p::kubernetes:core/v1:Secret::${name}`,
                type: "kubernetes:core/v1:Secret",
                name,
                properties: {},
                parent: null,
                protect: false,
                dependsOn: [key],
                propertyDependencies,
            });
            await host.analyze([
                resource("waits-only", { metadata: [], stringData: [] }),
                resource("fed", { metadata: [], stringData: [key] }),
            ]);
            assert.deepEqual(sent, [
                ["waits-only", []],
                ["fed", [["stringData", [key]]]],
            ]);
        });
    });
});
