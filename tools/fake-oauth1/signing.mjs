// RFC 5849 (OAuth 1.0a) signing primitives for tools/fake-oauth1: a TEST TOOL, never part of
// the product. These are pure functions (no I/O, no clock, no state) so the self-test can pin
// them to the RFC's and X's published examples. They are written from the RFC alone, on
// purpose: the fake exists to check Ferry's own signer independently, so sharing code or
// reading Ferry's implementation would defeat it.

import { createHmac, timingSafeEqual } from 'node:crypto';

/** The signature methods the fake accepts (RFC 5849 §3.4.2, §3.4.4, plus HMAC-SHA256, which
 *  is HMAC-SHA1's construction with SHA-256 as several providers deploy it). */
export const SIGNATURE_METHODS = Object.freeze(['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT']);

const HMAC_DIGESTS = Object.freeze({ 'HMAC-SHA1': 'sha1', 'HMAC-SHA256': 'sha256' });

/** Header parameters that never enter the base string (§3.4.1.3.1): `realm` is not a
 *  protocol parameter and `oauth_signature` is what is being computed. */
const EXCLUDED_HEADER_PARAMS = new Set(['realm', 'oauth_signature']);

// ---------------------------------------------------------------------------------------------
// Percent-encoding (§3.6)

/** True for RFC 3986 unreserved bytes: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved(byte) {
    return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) ||
        (byte >= 0x61 && byte <= 0x7a) || byte === 0x2d || byte === 0x2e || byte === 0x5f ||
        byte === 0x7e;
}

/** §3.6: the UTF-8 bytes of `text`, every byte but the unreserved ones as %XX (uppercase hex).
 *  Unlike encodeURIComponent this also encodes ! * ' ( ). */
export function percentEncode(text) {
    let out = '';
    for (const byte of Buffer.from(String(text), 'utf8')) {
        out += isUnreserved(byte)
            ? String.fromCharCode(byte)
            : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
    return out;
}

/** Decodes %XX escapes into bytes and reads the bytes as UTF-8; with `plusAsSpace` (form
 *  encoding) a '+' is a space first. Lenient on purpose: a '%' not followed by two hex digits
 *  stays literal, where decodeURIComponent would throw on a client's malformed input. */
export function percentDecode(text, { plusAsSpace = false } = {}) {
    const source = plusAsSpace ? text.replaceAll('+', ' ') : text;
    const bytes = [];
    for (let i = 0; i < source.length; i++) {
        const hex = source.slice(i + 1, i + 3);
        if (source[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
            bytes.push(parseInt(hex, 16));
            i += 2;
        } else {
            bytes.push(...Buffer.from(source[i], 'utf8'));
        }
    }
    return Buffer.from(bytes).toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// Parameter sources (§3.4.1.3.1)

/** Parses an application/x-www-form-urlencoded string (a query or a form body) into
 *  [name, value] pairs in order, '+' as space, %XX decoded. A pair without '=' has the value
 *  "" (the RFC example's `c2`); empty segments ("a&&b") are skipped. */
export function parseFormEncoded(text) {
    if (!text) return [];
    return text.split('&').filter((part) => part !== '').map((part) => {
        const eq = part.indexOf('=');
        const name = eq < 0 ? part : part.slice(0, eq);
        const value = eq < 0 ? '' : part.slice(eq + 1);
        return [percentDecode(name, { plusAsSpace: true }), percentDecode(value, { plusAsSpace: true })];
    });
}

/** True when a Content-Type header names application/x-www-form-urlencoded (parameters such
 *  as `; charset=utf-8` and letter case ignored): only then is the body a parameter source. */
export function isFormContentType(contentType) {
    if (!contentType) return false;
    return contentType.split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** Parses `Authorization: OAuth name="value", ...` (§3.5.1) into [name, value] pairs with
 *  names and values percent-decoded, `realm` included (callers drop it where needed).
 *  Whitespace (folded lines too) around names, '=' and commas is tolerated. Returns null when
 *  the header is absent, not the OAuth scheme, or malformed. */
export function parseAuthorizationHeader(header) {
    if (typeof header !== 'string') return null;
    const scheme = /^\s*OAuth\s+/i.exec(header);
    if (!scheme) return null;
    const text = header.slice(scheme[0].length);
    const param = /\s*([^\s=,"]+)\s*=\s*"([^"]*)"\s*/y;
    const pairs = [];
    let pos = 0;
    for (;;) {
        param.lastIndex = pos;
        const match = param.exec(text);
        if (!match) return null;
        pairs.push([percentDecode(match[1]), percentDecode(match[2])]);
        pos = param.lastIndex;
        if (pos === text.length) return pairs;
        if (text[pos] !== ',') return null;      // parameters are separated by commas
        pos += 1;
        if (text.slice(pos).trim() === '') return pairs;   // a trailing comma is forgiven
    }
}

// ---------------------------------------------------------------------------------------------
// Signature base string (§3.4.1)

/** §3.4.1.2: scheme and host lowercased, the scheme's default port (80 for http, 443 for
 *  https) dropped, the path as requested ("/" when empty), no query or fragment. `host` is a
 *  Host header value: "name", "name:port" or "[v6]:port". */
export function baseStringUri(scheme, host, path) {
    const lowerScheme = scheme.toLowerCase();
    const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(host.trim());
    const name = (match ? match[1] : host).toLowerCase();
    const port = match ? match[2] : undefined;
    const defaultPort = { http: '80', https: '443' }[lowerScheme];
    const authority = port && port !== defaultPort ? `${name}:${port}` : name;
    return `${lowerScheme}://${authority}${path || '/'}`;
}

/** §3.4.1.3.2: every name and value percent-encoded, sorted by encoded name then encoded
 *  value (plain code-unit order, which is byte order for the ASCII the encoding yields),
 *  joined as name=value with '&'. */
export function normalizeParameters(pairs) {
    const encoded = pairs.map(([name, value]) => [percentEncode(name), percentEncode(value)]);
    encoded.sort(([n1, v1], [n2, v2]) => compare(n1, n2) || compare(v1, v2));
    return encoded.map(([name, value]) => `${name}=${value}`).join('&');
}

function compare(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** The parameters a request is signed over (§3.4.1.3.1): the query's, the form body's (only
 *  for a form Content-Type) and the Authorization header's minus `realm` and
 *  `oauth_signature`. `headerParams` are pairs as parseAuthorizationHeader returns them. */
export function collectParameters({ query = '', body = '', contentType = '', headerParams = [] }) {
    return [
        ...parseFormEncoded(query),
        ...(isFormContentType(contentType) ? parseFormEncoded(body) : []),
        ...headerParams.filter(([name]) => !EXCLUDED_HEADER_PARAMS.has(name)),
    ];
}

/** §3.4.1.1: METHOD & enc(base string URI) & enc(normalized parameters).
 *  `uri` is a base string URI (see baseStringUri); `query` is the raw query without '?'. */
export function signatureBaseString({ method, uri, query, body, contentType, headerParams }) {
    const params = collectParameters({ query, body, contentType, headerParams });
    return [method.toUpperCase(), percentEncode(uri), percentEncode(normalizeParameters(params))]
        .join('&');
}

// ---------------------------------------------------------------------------------------------
// Signatures (§3.4.2 - §3.4.4)

/** §3.4.2 / §3.4.4: the key is enc(consumer secret) & enc(token secret), the token secret ""
 *  when there is no token yet. */
export function signingKey(consumerSecret, tokenSecret = '') {
    return `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
}

/** The signature `method` yields for `baseString`: base64 HMAC for the HMAC methods, the key
 *  itself for PLAINTEXT (which ignores the base string). Null for an unsupported method. */
export function computeSignature(method, baseString, consumerSecret, tokenSecret = '') {
    const key = signingKey(consumerSecret, tokenSecret);
    if (method === 'PLAINTEXT') return key;
    const digest = HMAC_DIGESTS[method];
    if (!digest) return null;
    return createHmac(digest, key).update(baseString, 'utf8').digest('base64');
}

/** Constant-time comparison of the expected and the presented signature. Lengths are compared
 *  first because timingSafeEqual needs equal-length buffers; a length mismatch is simply a
 *  mismatch (the length of a base64 HMAC is no secret). */
export function signaturesMatch(expected, presented) {
    const a = Buffer.from(String(expected), 'utf8');
    const b = Buffer.from(String(presented), 'utf8');
    return a.length === b.length && timingSafeEqual(a, b);
}
