import type { RouteObject } from 'react-router';
import { Layout } from '../components/Layout';
import { RouteError } from '../pages/RouteError';
import { SECTIONS } from './sections';

function placeholderRoute(path: string, label: string, summary: string): RouteObject {
  return {
    path: path.replace(/^\//, ''),
    lazy: async () => {
      const { PlaceholderPage } = await import('../pages/PlaceholderPage');
      return { element: <PlaceholderPage title={label} summary={summary} /> };
    },
  };
}

/**
 * Route table. Every page is code-split with `lazy`; a section whose page is
 * built gets its own `lazy` import here instead of the placeholder.
 */
export const routes: RouteObject[] = [
  {
    path: '/',
    Component: Layout,
    errorElement: <RouteError />,
    HydrateFallback: () => null,
    children: [
      {
        index: true,
        lazy: async () => ({ Component: (await import('../pages/DashboardPage')).DashboardPage }),
      },
      ...SECTIONS.filter((s) => s.path !== '/').map((s) => placeholderRoute(s.path, s.label, s.summary)),
      {
        path: '*',
        lazy: async () => ({ Component: (await import('../pages/NotFoundPage')).NotFoundPage }),
      },
    ],
  },
];
