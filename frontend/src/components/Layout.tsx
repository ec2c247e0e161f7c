import { Outlet } from 'react-router';
import { AuthGate } from '../auth/AuthGate';
import { Header } from './Header';
import { Sidebar } from './Sidebar';

/** App shell: header across the top, section nav on the left, page content on the right. */
export function Layout() {
  return (
    <AuthGate>
      <div className="flex h-screen flex-col">
        <Header />
        <div className="flex min-h-0 flex-1">
          <Sidebar />
          <main className="min-w-0 flex-1 overflow-y-auto px-8 py-6">
            <Outlet />
          </main>
        </div>
      </div>
    </AuthGate>
  );
}
