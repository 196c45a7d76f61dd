/**
 * Secret values inside request and response bodies kept as text in a HAR: a JSON body's
 * `"password": "…"`, a form's `password=…`, a multipart part named `password`. Each is replaced
 * where it stands, so the rest of the body keeps its exact bytes and layout.
 */

/** A JSON string, or a key, its colon and (when it is a string) its value. */
const JSON_STRINGS = /("(?:[^"\\]|\\.)*")(\s*:\s*)("(?:[^"\\]|\\.)*")?|"(?:[^"\\]|\\.)*"/g;

function looksLikeJson(text: string): boolean {
  const start = /^\s*[[{]/.test(text);
  if (!start) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The string values of secret keys in a JSON text replaced; text that is not JSON is returned
 * as it is. Scans the text once, string by string (no recursion into the parsed value).
 */
export function replaceJsonValues(
  text: string,
  isSecret: (key: string) => boolean,
  replace: (value: string, key: string) => string,
): string {
  if (!looksLikeJson(text)) return text;
  return text.replace(JSON_STRINGS, (match, rawKey?: string, colon?: string, rawValue?: string) => {
    if (rawKey === undefined || rawValue === undefined) return match;
    const key = JSON.parse(rawKey) as string;
    if (!isSecret(key)) return match;
    const value = JSON.parse(rawValue) as string;
    const replaced = replace(value, key);
    return replaced === value ? match : `${rawKey}${colon}${JSON.stringify(replaced)}`;
  });
}

/** A multipart/form-data part: its headers (with `name="…"`), a blank line, a one-line value. */
const MULTIPART_PART =
  /(content-disposition:[^\r\n]*?\bname="([^"]*)"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n)([^\r\n]*)/gi;

/** The one-line values of multipart/form-data parts with a secret name replaced. */
export function replaceMultipartValues(
  text: string,
  isSecret: (name: string) => boolean,
  replace: (value: string, name: string) => string,
): string {
  if (!/content-disposition/i.test(text)) return text;
  return text.replace(MULTIPART_PART, (match, head: string, name: string, value: string) =>
    isSecret(name) ? head + replace(value, name) : match,
  );
}
