import { Link, useLocation } from 'react-router';
import { PageHeader } from '../components/PageHeader';

export function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <section>
      <PageHeader title="Page not found">
        Nothing lives at <code className="text-fg">{pathname}</code>.
      </PageHeader>
      <Link to="/" className="text-sm text-fg underline decoration-accent underline-offset-4">
        Back to the dashboard
      </Link>
    </section>
  );
}
