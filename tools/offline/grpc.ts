/**
 * The gRPC runtime and Pulumi's generated protocol modules, loaded from the copy `@pulumi/pulumi`
 * itself uses, so the messages we build are the ones its services and clients accept.
 */
import { createRequire } from "node:module";
import * as path from "node:path";

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
// Resolves and loads modules as @pulumi/pulumi's own code does, from its directory.
const fromPulumi = createRequire(path.join(pulumiDir, "package.json"));

export const grpc = fromPulumi("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
export const structProto = fromPulumi(
    "google-protobuf/google/protobuf/struct_pb",
) as typeof import("google-protobuf/google/protobuf/struct_pb");
export const emptyProto = fromPulumi(
    "google-protobuf/google/protobuf/empty_pb",
) as typeof import("google-protobuf/google/protobuf/empty_pb");
export const resourceProto = fromPulumi(path.join(pulumiDir, "proto", "resource_pb")) as typeof import("@pulumi/pulumi/proto/resource_pb");
export const resourceRpc = fromPulumi(
    path.join(pulumiDir, "proto", "resource_grpc_pb"),
) as typeof import("@pulumi/pulumi/proto/resource_grpc_pb");
export const engineProto = fromPulumi(path.join(pulumiDir, "proto", "engine_pb")) as typeof import("@pulumi/pulumi/proto/engine_pb");
export const engineRpc = fromPulumi(
    path.join(pulumiDir, "proto", "engine_grpc_pb"),
) as typeof import("@pulumi/pulumi/proto/engine_grpc_pb");
export const analyzerProto = fromPulumi(path.join(pulumiDir, "proto", "analyzer_pb")) as typeof import("@pulumi/pulumi/proto/analyzer_pb");
export const analyzerRpc = fromPulumi(
    path.join(pulumiDir, "proto", "analyzer_grpc_pb"),
) as typeof import("@pulumi/pulumi/proto/analyzer_grpc_pb");
export const pluginProto = fromPulumi(path.join(pulumiDir, "proto", "plugin_pb")) as typeof import("@pulumi/pulumi/proto/plugin_pb");

export const jspb = fromPulumi("google-protobuf") as typeof import("google-protobuf");

export type Struct = import("google-protobuf/google/protobuf/struct_pb").Struct;

/** Calls a unary client method and resolves with its response. */
export function unary<Req, Res>(method: (req: Req, cb: (err: Error | null, res: Res) => void) => unknown, request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
        method(request, (err, res) => (err ? reject(err) : resolve(res)));
    });
}

/** A gRPC error with a status code, as a service handler returns it. */
export function rpcError(code: number, message: string): Error & { code: number; details: string } {
    return Object.assign(new Error(message), { code, details: message });
}

/** Binds a server on loopback and resolves with its address. */
export function bindLoopback(server: import("@grpc/grpc-js").Server): Promise<string> {
    return new Promise<string>((resolve, reject) => {
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) =>
            err ? reject(err) : resolve(`127.0.0.1:${port}`),
        );
    });
}
