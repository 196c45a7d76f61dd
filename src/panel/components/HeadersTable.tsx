import type { Header } from '../../core/types.ts';

/** Header names and values as text: they come from servers and are untrusted. */
export function HeadersTable({ title, headers }: { title: string; headers: Header[] }) {
  return (
    <section className="headers" aria-label={title}>
      <h3>
        {title} <span className="count">({headers.length})</span>
      </h3>
      {headers.length === 0 ? (
        <p className="muted">None recorded.</p>
      ) : (
        <table>
          <tbody>
            {headers.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: headers repeat; their order is their identity
              <tr key={i}>
                <th scope="row" className="header-name">
                  {h.name}
                </th>
                <td className="header-value">{h.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
