/** A status code coloured by class: 2xx, 3xx, 4xx, 5xx, failed. */
export function StatusCode({ code, label }: { code: number; label?: string }) {
  const cls = code <= 0 ? 'failed' : `s${Math.floor(code / 100)}xx`;
  return <span className={`status ${cls}`}>{label ?? (code > 0 ? code : 'failed')}</span>;
}
