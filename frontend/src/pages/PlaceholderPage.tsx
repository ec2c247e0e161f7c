import { PageHeader } from '../components/PageHeader';

interface PlaceholderPageProps {
  title: string;
  summary: string;
}

/** Stand-in for a section whose page has not been built. Shows no data. */
export function PlaceholderPage({ title, summary }: PlaceholderPageProps) {
  return (
    <section>
      <PageHeader title={title}>{summary}</PageHeader>
      <div className="rounded-lg border border-dashed border-line bg-panel px-6 py-10 text-center text-fg-muted">
        Not built yet — see the issue tracker.
      </div>
    </section>
  );
}
