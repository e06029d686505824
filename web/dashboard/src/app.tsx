// The shell: checks the session, shows the sign-in page or the header, navigation and the
// page the hash names.
import { useEffect, useState } from 'preact/hooks';
import { getSession, onSignedOut, signOut, type Session } from './api';
import { ErrorMessage } from './components/ErrorMessage';
import { href, useRoute, type Route } from './router';
import { ActionsPage } from './pages/Actions';
import { ActivityPage } from './pages/Activity';
import { CatalogPage } from './pages/Catalog';
import { ConnectPage } from './pages/Connect';
import { ConnectionPage } from './pages/Connection';
import { ConnectionsPage } from './pages/Connections';
import { IntegrationsPage } from './pages/Integrations';
import { LogPage } from './pages/Log';
import { OverviewPage } from './pages/Overview';
import { SignInPage } from './pages/SignIn';

type SessionState = { state: 'checking' } | { state: 'signed_out' } | { state: 'signed_in'; session: Session }
  | { state: 'unreachable'; error: unknown };

const navigation: { page: Route['page']; label: string; path: string; also?: Route['page'][] }[] = [
  { page: 'overview', label: 'Overview', path: 'overview' },
  { page: 'integrations', label: 'Integrations', path: 'integrations' },
  { page: 'catalog', label: 'Catalog', path: 'catalog' },
  { page: 'connections', label: 'Connections', path: 'connections', also: ['connection'] },
  { page: 'connect', label: 'Connect a user', path: 'connect' },
  { page: 'activity', label: 'Activity', path: 'activity', also: ['log'] },
  { page: 'actions', label: 'Actions', path: 'actions' }
];

function Page({ route, session }: { route: Route; session: Session }) {
  switch (route.page) {
    case 'overview': return <OverviewPage />;
    case 'integrations': return <IntegrationsPage />;
    case 'catalog': return <CatalogPage />;
    case 'connections': return <ConnectionsPage />;
    case 'connection': return <ConnectionPage integration={route.integration} connectionId={route.connectionId} />;
    case 'connect': return <ConnectPage integration={route.integration} session={session} />;
    case 'activity': return <ActivityPage />;
    case 'log': return <LogPage id={route.id} />;
    case 'actions': return <ActionsPage integration={route.integration} action={route.action} />;
    case 'not_found':
      return <section><h1>Not found</h1><p>Nothing lives at <code>#/{route.path}</code>.</p></section>;
  }
}

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<SessionState>({ state: 'checking' });

  useEffect(() => {
    onSignedOut(() => setSession({ state: 'signed_out' }));
    getSession().then(
      (value) => setSession({ state: 'signed_in', session: value }),
      (error: unknown) => {
        const status = (error as { status?: number }).status;
        setSession(status === 401 ? { state: 'signed_out' } : { state: 'unreachable', error });
      });
  }, []);

  if (session.state === 'checking') return <p class="loading">Loading…</p>;
  if (session.state === 'unreachable') {
    return <main class="narrow"><h1>Ferry</h1><ErrorMessage error={session.error} /></main>;
  }
  if (session.state === 'signed_out') {
    // The sign-in answer has the CSRF token; GET adds the server's URLs.
    const signedIn = (value: Session) => {
      setSession({ state: 'signed_in', session: value });
      getSession().then((full) => setSession({ state: 'signed_in', session: full }), () => {});
    };
    return <SignInPage onSignedIn={signedIn} />;
  }

  const leave = async () => {
    try {
      await signOut();
    } finally {
      setSession({ state: 'signed_out' });
    }
  };
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href={href('overview')}><span class="logo" aria-hidden="true" />Ferry</a>
        <nav>
          {navigation.map((item) => (
            <a key={item.page} href={href(item.path)}
               class={item.page === route.page || item.also?.includes(route.page) ? 'active' : ''}>
              {item.label}
            </a>
          ))}
        </nav>
        <button type="button" class="button small" onClick={leave}>Sign out</button>
      </header>
      <main>
        <Page route={route} session={session.session} />
      </main>
    </div>
  );
}
