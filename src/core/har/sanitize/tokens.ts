/**
 * Tokens a sanitized HAR keeps readable without their power: a JWT (RFC 7519, JWS compact
 * serialization: three base64url parts) keeps its header and claims and loses its signature; a
 * SAML message (base64 XML, SAML 2.0 HTTP-POST binding) keeps its assertions and loses the
 * values of its `SignatureValue` elements. Without a signature neither is accepted by a server.
 */

export const REDACTED_SIGNATURE = 'REDACTED';

/** How a JOSE header starts in base64url: `{"` is `eyJ`, `{ "` is `eyAi`, `{` and a newline `ewo`. */
const JOSE_START = '(?:eyJ|eyA|ewo)';

/** `header.payload.signature`, the header a JSON object. */
const JWT = new RegExp(`^(${JOSE_START}[A-Za-z0-9_-]*)\\.([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]*)$`);

/** A signed JWT anywhere in text (the parts long enough not to be a word with dots). */
export const JWT_IN_TEXT = new RegExp(`\\b${JOSE_START}[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{8,}`, 'g');

/**
 * A signed JWT without its signature: `header.payload.REDACTED`; undefined when the value is no
 * signed JWT (an unsigned one, `alg: none`, ends in a bare dot: it is usable as it is, so it is
 * not "kept without its signature" but hashed whole by the caller).
 */
export function jwtWithoutSignature(value: string): string | undefined {
  const m = JWT.exec(value);
  if (!m?.[3]) return undefined;
  return `${m[1]}.${m[2]}.${REDACTED_SIGNATURE}`;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Standard base64 (padding optional, whitespace ignored) to a byte string; undefined if not base64. */
export function base64ToBinary(text: string): string | undefined {
  const clean = text.replace(/\s+/g, '').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(clean) || clean.length % 4 === 1) return undefined;
  let out = '';
  let bits = 0;
  let buffer = 0;
  for (const c of clean) {
    buffer = (buffer << 6) | (B64_INDEX.get(c) as number);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((buffer >> bits) & 0xff);
    }
  }
  return out;
}

/** A byte string (each char 0–255) as standard base64 with padding. */
export function binaryToBase64(bytes: string): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes.charCodeAt(i);
    const b = i + 1 < bytes.length ? bytes.charCodeAt(i + 1) : 0;
    const c = i + 2 < bytes.length ? bytes.charCodeAt(i + 2) : 0;
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63];
    out += B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return out;
}

const SIGNATURE_VALUE =
  /(<(?:[A-Za-z_][\w.-]*:)?SignatureValue\b[^>]*>)[^<]*(<\/(?:[A-Za-z_][\w.-]*:)?SignatureValue\s*>)/g;

/**
 * A SAML message (`SAMLResponse`/`SAMLRequest` of the HTTP-POST binding: base64 of XML, maybe
 * percent-encoded as a form value) with the content of every `SignatureValue` element replaced
 * by `REDACTED`, encoded as it came. Undefined when the value is not base64 XML with a
 * signature (a deflated HTTP-Redirect message, an encrypted blob): the caller hashes it whole.
 */
export function samlWithoutSignature(value: string): string | undefined {
  let encoded = value;
  const percent = /%[0-9a-f]{2}/i.test(value);
  if (percent) {
    try {
      encoded = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  }
  const xml = base64ToBinary(encoded);
  if (!xml || !/^\s*</.test(xml) || !/SignatureValue/.test(xml)) return undefined;
  const stripped = xml.replace(SIGNATURE_VALUE, `$1${REDACTED_SIGNATURE}$2`);
  // Already without its signature (a sanitized file sanitized again): as it is.
  if (stripped === xml)
    return new RegExp(`SignatureValue\\b[^>]*>${REDACTED_SIGNATURE}<`).test(xml) ? value : undefined;
  const out = binaryToBase64(stripped);
  return percent ? encodeURIComponent(out) : out;
}
