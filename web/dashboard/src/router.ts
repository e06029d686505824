// Hash routing (#/connections/jira/user-1), so the server only ever serves "/".
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'overview' }
  | { page: 'integrations' }
  | { page: 'catalog' }
  | { page: 'connections' }
  | { page: 'connection'; integration: string; connectionId: string }
  | { page: 'connect'; integration?: string }
  | { page: 'activity' }
  | { page: 'log'; id: string }
  | { page: 'actions'; integration?: string; action?: string }
  | { page: 'not_found'; path: string };

/** The route a location hash names; unknown paths are not_found. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?')[0]!.replace(/^\/+/, '');
  const parts = path.split('/').filter((part) => part !== '').map(decodeURIComponent);
  const [first, second, third] = parts;
  switch (first) {
    case undefined:
    case 'overview':
      return { page: 'overview' };
    case 'integrations':
      return { page: 'integrations' };
    case 'catalog':
      return { page: 'catalog' };
    case 'connections':
      if (parts.length === 1) return { page: 'connections' };
      if (parts.length === 3 && second && third) {
        return { page: 'connection', integration: second, connectionId: third };
      }
      break;
    case 'connect':
      return second ? { page: 'connect', integration: second } : { page: 'connect' };
    case 'activity':
      if (parts.length === 1) return { page: 'activity' };
      if (parts.length === 2 && second) return { page: 'log', id: second };
      break;
    case 'actions':
      return { page: 'actions', integration: second, action: third };
  }
  return { page: 'not_found', path };
}

/** The query part of the hash (#/connections?integration=jira). */
export function hashParams(): URLSearchParams {
  const hash = location.hash;
  const at = hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
}

/** The hash of a path made of `parts`, each encoded. */
export function href(...parts: string[]): string {
  return '#/' + parts.map(encodeURIComponent).join('/');
}

export function navigate(...parts: string[]): void {
  location.hash = href(...parts);
}

/** The current route, updated on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
