import { Link } from 'react-router';
import { usePolicyServed } from '../../api/builderQueries';
import { useEdition } from '../../api/queries';
import { EnterpriseGate } from '../../components/Enterprise';
import { PageHeader } from '../../components/PageHeader';
import { Card, Tag } from '../../components/ui';
import { POLICY_KINDS, POLICY_TYPE_NAMES, type PolicyKindInfo, type PolicyType } from '../../forms/policies';
import { POLICY_TEMPLATES, type PolicyTemplate } from '../../forms/policyTemplates';

const WAF_KIND = 'WAFPolicy (App Protect)';

/** Whether the cluster has the kind's CRD, as a tag (nothing while unknown). */
function ServedTag({ type, enterprise }: { type: PolicyType; enterprise: boolean }) {
  const edition = useEdition();
  // Enterprise kinds are never asked about on OSS.
  const served = usePolicyServed(type, !enterprise || edition === 'enterprise');
  if (served !== 'missing') return null;
  return <Tag>CRD not installed</Tag>;
}

function TemplateCard({ template }: { template: PolicyTemplate }) {
  const type = template.type;
  if (type === 'waf') {
    // No WAFPolicy builder yet, on either edition: say so rather than link to nothing.
    return (
      <EnterpriseGate feature={template.title}>
        <div aria-disabled="true" className="rounded-lg border border-dashed border-line bg-panel p-4 text-fg-muted">
          <p className="font-medium">{template.title}</p>
          <p className="mt-1 text-sm">{WAF_KIND} builder: not built yet.</p>
        </div>
      </EnterpriseGate>
    );
  }
  const info: PolicyKindInfo = POLICY_KINDS[type];
  const card = (
    <Link
      to={`/policies/create/${type}?template=${template.id}`}
      className="block h-full rounded-lg border border-line bg-panel p-4 hover:border-accent focus-visible:outline-2 focus-visible:outline-accent"
    >
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{template.title}</span>
        <Tag tone="accent">{info.kind}</Tag>
        <ServedTag type={type} enterprise={info.enterprise} />
      </div>
      <p className="mt-2 text-sm text-fg-muted">{template.summary}</p>
    </Link>
  );
  return info.enterprise ? <EnterpriseGate feature={`${template.title} (${info.kind})`}>{card}</EnterpriseGate> : card;
}

/** `/policies/create`: templates for common scenarios, and a blank builder per kind (spec §3.5.2). */
export function PolicyGallery() {
  return (
    <section className="space-y-6">
      <PageHeader title="Create policy">Start from a template for a common scenario, or from a blank form of one policy kind.</PageHeader>
      <div>
        <h2 className="mb-3 text-sm font-semibold tracking-wide text-fg-muted uppercase">Templates</h2>
        <ul className="grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-3">
          {POLICY_TEMPLATES.map((t) => (
            <li key={t.id}>
              <TemplateCard template={t} />
            </li>
          ))}
        </ul>
      </div>
      <Card title="Blank policy">
        <ul className="flex flex-wrap gap-2">
          {POLICY_TYPE_NAMES.map((type) => {
            const info: PolicyKindInfo = POLICY_KINDS[type];
            return (
              <li key={type}>
                <Link to={`/policies/create/${type}`} className="inline-flex items-center gap-2 rounded-md border border-line bg-panel-raised px-3 py-1.5 text-sm hover:bg-line focus-visible:outline-2 focus-visible:outline-accent">
                  {info.kind}
                  {info.enterprise && <Tag tone="enterprise">Enterprise</Tag>}
                </Link>
              </li>
            );
          })}
        </ul>
      </Card>
    </section>
  );
}
