/**
 * The wire bytes of a response's findings, byte for byte what the host's own encoding gives (`protoutil.makeAnalyzeResponse`
 * then the generated `serializeBinary`), at a fraction of its cost. google-protobuf's JavaScript writer encodes every string
 * a byte at a time into a growing array of numbers: a finding's ~500 bytes (its policy's description, the message, the URN)
 * left ~7 KB of garbage, and the synthetic 10,000-resource stack has 2,727 findings (measured: docs/performance.md).
 *
 * A finding's fields other than its message and URN are its policy's (name, pack, version, description, level, severity):
 * their bytes are encoded once per policy by the host's own encoder, with marker strings in the message and URN; each
 * finding then copies those bytes and puts its own message and URN where the markers were.
 */

/** A finding as the host's `reportViolation` collects it (@pulumi/policy 1.21 server.js `makeReportViolationFun`). */
export interface HostDiagnostic {
    readonly policyName?: string;
    readonly policyPackName?: string;
    readonly policyPackVersion?: string;
    readonly description?: string;
    readonly message?: string;
    readonly enforcementLevel?: string;
    readonly urn?: string;
    readonly severity?: string;
}

type Encode = (ds: HostDiagnostic[]) => Uint8Array;

/** A policy's encoded finding around the two variable fields, in the host's field order. */
interface Template {
    readonly key: HostDiagnostic;
    /** The bytes before, between and after the message and URN fields (`order` says which comes first). */
    readonly pieces: readonly [Buffer, Buffer, Buffer];
    readonly messageTag: number;
    readonly urnTag: number;
    readonly messageFirst: boolean;
    /** The tag of the response's diagnostics field, written before each finding. */
    readonly diagnosticsTag: number;
}

const MESSAGE_MARK = "\u0001ciplatform-encoded-message\u0001";
const URN_MARK = "\u0001ciplatform-encoded-urn\u0001";

const sameKey = (a: HostDiagnostic, b: HostDiagnostic): boolean =>
    a.policyName === b.policyName &&
    a.policyPackName === b.policyPackName &&
    a.policyPackVersion === b.policyPackVersion &&
    a.description === b.description &&
    a.enforcementLevel === b.enforcementLevel &&
    a.severity === b.severity;

function varintLength(n: number): number {
    let length = 1;
    while (n >= 0x80) {
        n = Math.floor(n / 0x80);
        length++;
    }
    return length;
}

function writeVarint(out: Buffer, at: number, n: number): number {
    while (n >= 0x80) {
        out[at++] = (n % 0x80) | 0x80;
        n = Math.floor(n / 0x80);
    }
    out[at++] = n;
    return at;
}

/** Reads the varint at `at`: its value and the offset after it. */
function readVarint(bytes: Uint8Array, at: number): [number, number] {
    let value = 0;
    let scale = 1;
    for (;;) {
        const byte = bytes[at++];
        value += (byte & 0x7f) * scale;
        if (byte < 0x80) {
            return [value, at];
        }
        scale *= 0x80;
    }
}

/**
 * The template of `key`'s findings, from the host's encoding of one finding with marker strings; undefined when that
 * encoding is not the one field with the markers inside as single-byte-tagged strings (the host changed shape).
 */
function templateOf(encode: Encode, key: HostDiagnostic): Template | undefined {
    const bytes = Buffer.from(encode([{ ...key, message: MESSAGE_MARK, urn: URN_MARK }]));
    const diagnosticsTag = bytes[0];
    const [length, start] = readVarint(bytes, 1);
    if (start + length !== bytes.length) {
        return undefined;
    }
    const body = bytes.subarray(start);
    const field = (mark: string): { from: number; to: number; tag: number } | undefined => {
        const encoded = Buffer.from(mark, "utf8");
        const at = body.indexOf(encoded);
        // The field is its tag, its length (one byte: the marks are short), then the string.
        if (at < 2 || body[at - 1] !== encoded.length || body.indexOf(encoded, at + 1) !== -1) {
            return undefined;
        }
        return { from: at - 2, to: at + encoded.length, tag: body[at - 2] };
    };
    const message = field(MESSAGE_MARK);
    const urn = field(URN_MARK);
    if (!message || !urn) {
        return undefined;
    }
    const [first, second] = message.from < urn.from ? [message, urn] : [urn, message];
    return {
        key,
        pieces: [body.subarray(0, first.from), body.subarray(first.to, second.from), body.subarray(second.to)],
        messageTag: message.tag,
        urnTag: urn.tag,
        messageFirst: first === message,
        diagnosticsTag,
    };
}

/** A lone UTF-16 surrogate (in `u` mode a well-formed pair is one code point, not a surrogate). */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Whether a finding's message or URN is encoded here as the host encodes it: absent, or a string without a lone
 * surrogate. google-protobuf's writer (3.21 `BinaryEncoder.writeString`) writes a lone surrogate as three bytes of
 * invalid UTF-8, or drops a high surrogate followed by anything but a low one, where `Buffer.from` writes U+FFFD; and it
 * writes a value that is not a string (an object report's `message: 42`) as nothing, where `Buffer.from` throws.
 */
function encodableAsHost(value: unknown): boolean {
    return value === undefined || value === null || (typeof value === "string" && !LONE_SURROGATE.test(value));
}

/**
 * An encoder of findings over the host's `makeAnalyzeResponse` (the original, not the pack's wrapper): the bytes of the
 * response's diagnostics field for `ds`, or undefined (the caller then lets the host encode) when a template cannot be made.
 */
export function diagnosticsEncoder(
    makeAnalyzeResponse: (ds: HostDiagnostic[], notApplicable: undefined) => { serializeBinary(): Uint8Array },
): (ds: readonly HostDiagnostic[]) => Buffer | undefined {
    const encode: Encode = (ds) => makeAnalyzeResponse(ds, undefined).serializeBinary();
    const templates = new Map<string | undefined, Template[]>();
    const templateFor = (d: HostDiagnostic): Template | undefined => {
        let list = templates.get(d.policyName);
        if (list === undefined) {
            list = [];
            templates.set(d.policyName, list);
        }
        let template = list.find((t) => sameKey(t.key, d));
        if (template === undefined) {
            template = templateOf(encode, {
                policyName: d.policyName,
                policyPackName: d.policyPackName,
                policyPackVersion: d.policyPackVersion,
                description: d.description,
                enforcementLevel: d.enforcementLevel,
                severity: d.severity,
            });
            if (template === undefined) {
                return undefined;
            }
            list.push(template);
        }
        return template;
    };
    return (ds) => {
        const parts: Array<{ template: Template; message: Buffer; urn: Buffer; bodyLength: number }> = [];
        let total = 0;
        for (const d of ds) {
            if (!encodableAsHost(d.message) || !encodableAsHost(d.urn)) {
                // The host encodes these its own way (see `encodableAsHost`): let it.
                return undefined;
            }
            const template = templateFor(d);
            if (template === undefined) {
                return undefined;
            }
            // As the host: the message always set, the URN only when given; proto3 leaves an empty string out.
            const message = Buffer.from(d.message ?? "", "utf8");
            const urn = Buffer.from(d.urn || "", "utf8");
            const field = (value: Buffer) => (value.length === 0 ? 0 : 1 + varintLength(value.length) + value.length);
            const bodyLength =
                template.pieces[0].length + template.pieces[1].length + template.pieces[2].length + field(message) + field(urn);
            parts.push({ template, message, urn, bodyLength });
            total += 1 + varintLength(bodyLength) + bodyLength;
        }
        const out = Buffer.allocUnsafe(total);
        let at = 0;
        const put = (bytes: Uint8Array) => {
            out.set(bytes, at);
            at += bytes.length;
        };
        const putField = (tag: number, value: Buffer) => {
            if (value.length > 0) {
                out[at++] = tag;
                at = writeVarint(out, at, value.length);
                put(value);
            }
        };
        for (const { template, message, urn, bodyLength } of parts) {
            out[at++] = template.diagnosticsTag;
            at = writeVarint(out, at, bodyLength);
            put(template.pieces[0]);
            if (template.messageFirst) {
                putField(template.messageTag, message);
            } else {
                putField(template.urnTag, urn);
            }
            put(template.pieces[1]);
            if (template.messageFirst) {
                putField(template.urnTag, urn);
            } else {
                putField(template.messageTag, message);
            }
            put(template.pieces[2]);
        }
        return out;
    };
}
