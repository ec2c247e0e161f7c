import { useCertificates } from '../api/queries';
import type { CertificateView, Health } from '../api/types';
import { PageHeader } from '../components/PageHeader';
import { Empty, ErrorBox, HealthBadge, Loading, Table, Td } from '../components/ui';

/** Expiry colour of spec §3.6: green > 30 d, yellow 7–30 d, red < 7 d, expired. */
export function expiryHealth(cert: Pick<CertificateView, 'expiry_state' | 'days_left'>): { health: Health; label: string } {
  const days = cert.days_left;
  switch (cert.expiry_state) {
    case 'ok':
      return { health: 'healthy', label: `${days} days` };
    case 'warning':
      return { health: 'degraded', label: `${days} days` };
    case 'critical':
      return { health: 'error', label: `${days} days` };
    case 'expired':
      return { health: 'error', label: 'Expired' };
    default:
      return { health: 'unknown', label: 'Unreadable' };
  }
}

export function CertificatesPage() {
  const { data, error, isPending } = useCertificates();
  return (
    <section>
      <PageHeader title="Certificates">TLS Secrets: expiry, issuer, and the listeners that use them.</PageHeader>
      {error && <ErrorBox error={error} />}
      {isPending && <Loading what="Loading certificates" />}
      {data && data.items.length === 0 && <Empty>No TLS Secrets in this scope.</Empty>}
      {data && data.items.length > 0 && (
        <Table caption="Certificates" head={['Secret', 'Namespace', 'Common name / SANs', 'Issuer', 'Expires', 'Key', 'Attached to']}>
          {data.items.map((c) => {
            const expiry = expiryHealth(c);
            return (
              <tr key={`${c.namespace}/${c.secret_name}`}>
                <Td className="font-medium">{c.secret_name}</Td>
                <Td>{c.namespace}</Td>
                <Td className="text-xs">
                  {c.common_name ?? '—'}
                  {c.dns_names.length > 0 && <div className="text-fg-muted">{c.dns_names.join(', ')}</div>}
                </Td>
                <Td className="text-xs">{c.issuer_common_name ?? c.issuer ?? '—'}{c.self_signed ? ' (self-signed)' : ''}</Td>
                <Td>
                  <HealthBadge health={expiry.health} label={expiry.label} />
                  {c.not_after && <div className="text-xs text-fg-muted">{c.not_after.slice(0, 10)}</div>}
                </Td>
                <Td className="text-xs">{c.key_description ?? c.key_type ?? '—'}</Td>
                <Td className="text-xs">
                  {c.attached_to.length === 0 ? '—' : c.attached_to.map((a, i) => <div key={i}>{attachmentText(a)}</div>)}
                </Td>
              </tr>
            );
          })}
        </Table>
      )}
    </section>
  );
}

function attachmentText(a: CertificateView['attached_to'][number]): string {
  const refused = a.permitted === false ? ' (no ReferenceGrant)' : '';
  return `${a.kind} ${a.namespace}/${a.name}${a.listener ? `#${a.listener}` : ''}${refused}`;
}
