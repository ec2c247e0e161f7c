import { isRouteErrorResponse, useRouteError } from 'react-router';

/** Last-resort error screen, e.g. when a page's code chunk fails to load after an upgrade. */
export function RouteError() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : String(error);
  return (
    <div role="alert" className="mx-auto mt-24 max-w-lg rounded-lg border border-line bg-panel p-6">
      <h1 className="text-lg font-semibold">Something went wrong</h1>
      <p className="mt-2 text-sm text-fg-muted">{detail}</p>
      <a href="/" className="mt-4 inline-block text-sm underline decoration-accent underline-offset-4">
        Reload the console
      </a>
    </div>
  );
}
