import { NavLink } from 'react-router';
import { SECTIONS } from '../app/sections';

const linkBase =
  'flex items-center rounded-md border-l-2 px-3 py-2 text-sm transition-colors focus-visible:outline-2 focus-visible:outline-accent';
const linkIdle = 'border-transparent text-fg-muted hover:bg-panel-raised hover:text-fg';
const linkActive = 'border-accent bg-panel-raised font-medium text-fg';

export function Sidebar() {
  return (
    <nav aria-label="Main" className="w-56 shrink-0 overflow-y-auto border-r border-line bg-panel p-3">
      <ul className="space-y-1">
        {SECTIONS.map((section) => (
          <li key={section.path}>
            <NavLink
              to={section.path}
              end={section.path === '/'}
              className={({ isActive }) => `${linkBase} ${isActive ? linkActive : linkIdle}`}
            >
              {section.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
