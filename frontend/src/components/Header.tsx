import { Link } from 'react-router';

export function Header() {
  return (
    <header className="flex h-14 shrink-0 items-center gap-3 border-b border-line bg-panel px-4">
      <Link to="/" className="flex items-center gap-3 rounded focus-visible:outline-2 focus-visible:outline-accent">
        <span
          aria-hidden="true"
          className="grid size-8 place-items-center rounded-md bg-accent text-sm font-bold text-accent-fg"
        >
          N
        </span>
        <span className="text-lg font-semibold tracking-tight">NGF Console</span>
      </Link>
      <span className="hidden text-sm text-fg-muted sm:inline">
        NGINX Gateway Fabric · Gateway API Inference Extension
      </span>
    </header>
  );
}
