// The catalog page's pure parts: the blueprint categories, the search GET /providers does
// (repeated here so the page filters as the user types), and the page's links.
import type { Integration, Provider } from './api';

/** Every category a blueprint may list, as the server knows them. */
export const kCategories = [
  'accounting', 'analytics', 'ats', 'calendar', 'communication', 'crm', 'design', 'dev-tools',
  'e-commerce', 'email', 'file-storage', 'forms', 'hr', 'knowledge-base', 'marketing', 'payments',
  'productivity', 'project-management', 'signature', 'social', 'support', 'ticketing', 'video'
] as const;

export function isCategory(name: string): boolean {
  return (kCategories as readonly string[]).includes(name);
}

/** What the search looks at. */
export type Searchable = Pick<Provider, 'name' | 'description' | 'categories' | 'auth_mode'>;

// The server lower-cases ASCII letters only; so does this, so both find the same blueprints.
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** The words of a search: split at spaces, tabs and commas, as the server does. */
export function searchWords(search: string): string[] {
  return asciiLower(search).split(/[ \t,]+/).filter((word) => word !== '');
}

/** The providers having `category` (none: any) and every word of `search` in their name,
 *  description, categories or auth mode, case-insensitively: GET /providers's answer. */
export function filterProviders<T extends Searchable>(providers: T[], search: string, category: string): T[] {
  const words = searchWords(search);
  return providers.filter((provider) => {
    if (category && !provider.categories.includes(category)) return false;
    const text = asciiLower(
      [provider.name, provider.description, provider.categories.join(' '), provider.auth_mode].join(' '));
    return words.every((word) => text.includes(word));
  });
}

/** The keys of the integrations extending the blueprint `name`, by provider name. */
export function configuredKeys(integrations: Pick<Integration, 'unique_key' | 'provider' | 'blueprint'>[],
                               name: string): string[] {
  // An integration that extends no blueprint has its own key as provider: not a match.
  return integrations.filter((integration) => integration.blueprint && integration.provider === name)
    .map((integration) => integration.unique_key);
}

/** The hash of the catalog showing `search` within `category` (#/catalog?search=crm&category=crm). */
export function catalogHash(search: string, category: string): string {
  const params = new URLSearchParams();
  if (search) params.set('search', search);
  if (category) params.set('category', category);
  const text = params.toString();
  return text ? `#/catalog?${text}` : '#/catalog';
}
