import { useState } from 'react';
import { SENSITIVE_HEADERS } from '../../core/har/redact.ts';
import type { Header } from '../../core/model/chain.ts';

/** Header names and values as text: they come from servers and are untrusted. */
export function HeadersTable({ title, headers }: { title: string; headers: Header[] }) {
  const [reveal, setReveal] = useState(false);
  const secrets = headers.filter((h) => SENSITIVE_HEADERS.has(h.name.toLowerCase())).length;
  return (
    <section className="headers" aria-label={title}>
      <h3>
        {title} <span className="count">({headers.length})</span>
        {secrets > 0 && (
          <button type="button" className="reveal" onClick={() => setReveal(!reveal)} aria-pressed={reveal}>
            {reveal ? 'Hide cookies' : `Show cookies (${secrets})`}
          </button>
        )}
      </h3>
      {headers.length === 0 ? (
        <p className="muted">None recorded.</p>
      ) : (
        <table>
          <tbody>
            {headers.map((h, i) => {
              const hidden = !reveal && SENSITIVE_HEADERS.has(h.name.toLowerCase());
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: headers repeat; their order is their identity
                <tr key={i}>
                  <th scope="row" className="header-name">
                    {h.name}
                  </th>
                  <td className={hidden ? 'header-value hidden-value' : 'header-value'}>
                    {hidden ? `hidden (${h.value.length} characters)` : h.value}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
