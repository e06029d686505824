// The built-in blueprint catalog: every blueprint an integration can extend, searchable and
// filtered by category. The view lives in the hash (#/catalog?search=crm&category=crm), so it
// can be linked.
import { useEffect, useState } from 'preact/hooks';
import { getIntegrations, getProviders, type Provider } from '../api';
import { catalogHash, configuredKeys, filterProviders, isCategory, kCategories } from '../catalog';
import { ErrorMessage } from '../components/ErrorMessage';
import { useLoad } from '../hooks';
import { hashParams, href, parseRoute } from '../router';

interface View {
  search: string;
  category: string;
}

/** The view the hash names; an unknown category shows them all. */
function viewOfHash(): View {
  const params = hashParams();
  const category = params.get('category') ?? '';
  return { search: params.get('search') ?? '', category: isCategory(category) ? category : '' };
}

const external = { target: '_blank', rel: 'noopener noreferrer' } as const;

function ProviderCard({ provider, configuredAs, search }: { provider: Provider; configuredAs: string[]; search: string }) {
  return (
    <article class="card provider" data-provider={provider.name}>
      <header class="card-header">
        <h2>{provider.name}</h2>
        <span class={`badge auth-${provider.auth_mode.toLowerCase()}`}>{provider.auth_mode}</span>
        {configuredAs.length > 0 && (
          <span class="configured">configured as{' '}
            {configuredAs.map((key, index) => (
              <span key={key}>{index > 0 && ', '}<a href={href('integrations')}>{key}</a></span>))}
          </span>
        )}
      </header>
      {provider.categories.length > 0 && (
        <div class="chips">
          {provider.categories.map((category) => (
            <a class="chip category" key={category} href={catalogHash(search, category)}
               title={`Show the ${category} blueprints`}>{category}</a>))}
        </div>
      )}
      {provider.description && <p class="description">{provider.description}</p>}
      <dl class="fields">
        <dt>Base URL</dt>
        <dd>{provider.proxy.base_url ? <code>{provider.proxy.base_url}</code> : <span class="muted">–</span>}</dd>
        <dt>Docs</dt>
        <dd>{provider.docs ? <a href={provider.docs} {...external}>{provider.docs}</a> : <span class="muted">–</span>}</dd>
        <dt>Sources</dt>
        <dd>{provider.sources.length
          ? provider.sources.map((url, index) => (
            <a class="source-link" key={url} href={url} title={url} aria-label={`Source ${index + 1}: ${url}`}
               {...external}>{index + 1}</a>))
          : <span class="muted">none</span>}</dd>
      </dl>
    </article>
  );
}

export function CatalogPage() {
  const providers = useLoad(getProviders, []);
  const integrations = useLoad(getIntegrations, []);
  const [view, setView] = useState<View>(viewOfHash);

  // A link to another view of this page (a category chip) changes only the hash.
  useEffect(() => {
    const onChange = () => {
      if (parseRoute(location.hash).page === 'catalog') setView(viewOfHash());
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  // The hash follows the view; replaceState adds no history entry per keystroke and fires no
  // hashchange.
  useEffect(() => {
    const hash = catalogHash(view.search, view.category);
    if (location.hash !== hash) history.replaceState(history.state, '', hash);
  }, [view]);

  const all = providers.data ?? [];
  const shown = filterProviders(all, view.search, view.category);
  const configured = integrations.data?.integrations ?? [];
  return (
    <section class="catalog">
      <h1>Catalog</h1>
      <p class="muted">The built-in blueprints: an integration extends one with
        {' '}<code>extends_blueprint: name:version</code> in <code>integrations.yaml</code>.</p>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <input type="search" name="search" placeholder="Search name, description, category or auth mode"
               aria-label="Search" value={view.search}
               onInput={(event) => setView({ ...view, search: (event.target as HTMLInputElement).value })} />
        <select name="category" aria-label="Category" value={view.category}
                onChange={(event) => setView({ ...view, category: (event.target as HTMLSelectElement).value })}>
          <option value="">All categories</option>
          {kCategories.map((category) => <option key={category} value={category}>{category}</option>)}
        </select>
      </form>
      <ErrorMessage error={providers.error ?? integrations.error} />
      {providers.loading && !providers.data && <p class="loading">Loading…</p>}
      {providers.data && (
        <p class="count" aria-live="polite">{shown.length} of {all.length} providers</p>
      )}
      {providers.data && shown.length === 0 && <p class="empty">No blueprint matches.</p>}
      <div class="grid catalog-grid">
        {shown.map((provider) => (
          <ProviderCard key={provider.name} provider={provider} search={view.search}
                        configuredAs={configuredKeys(configured, provider.name)} />
        ))}
      </div>
    </section>
  );
}
