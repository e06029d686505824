// The typed client of Ferry's dashboard API and of the REST endpoints the dashboard uses.
// Every call sends the session cookie; every call other than GET carries the CSRF token.
// A 401 anywhere means the session is gone: onSignedOut() is told, and the call rejects.

export interface ApiErrorBody {
  code: string;
  message: string;
  [key: string]: unknown;
}

/** A non-2xx answer (or a network failure, status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: unknown;
  constructor(status: number, code: string, message: string, body: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export interface Session {
  csrf_token: string;
  expires_at: string;
  server_root_url?: string;
  callback_url?: string;
  public_key_set?: boolean;
}

export interface Integration {
  unique_key: string;
  provider: string;
  /** "provider:version"; null when the integration extends no blueprint. */
  blueprint: string | null;
  auth_mode: string;
  base_url: string;
  scopes: string[];
  client_id: string | null;
  client_secret: string | null;
  retry?: Record<string, unknown> | null;
  /** The integration resolved from its blueprint, secrets masked. */
  config?: Record<string, unknown> | null;
  source: string;
  actions: string[];
}

export interface ConfigWarning {
  location: string;
  message: string;
}

export interface IntegrationsResponse {
  callback_url: string;
  integrations: Integration[];
  warnings: ConfigWarning[];
}

export type Health = 'ok' | 'refresh_failed' | 'expiring' | 'never_used';

export interface ConnectionError {
  type: string;
  message: string;
}

export interface ConnectionSummary {
  connection_id: string;
  provider_config_key: string;
  provider: string;
  created_at: string;
  updated_at: string;
  last_fetched_at: string | null;
  last_refresh_at: string | null;
  health: Health;
  errors: ConnectionError[];
  end_user: Record<string, unknown> | null;
}

export interface JiraSite {
  id?: string;
  name?: string;
  url?: string;
  [key: string]: unknown;
}

export interface ConnectionDetail extends ConnectionSummary {
  credentials: Record<string, unknown>;
  connection_config: Record<string, unknown> & { cloudId?: string; baseUrl?: string; sites?: JiraSite[] };
  metadata: Record<string, unknown> | null;
  tags?: Record<string, string> | null;
}

export interface Attempt {
  status?: number | null;
  reason?: string;
  wait_ms?: number;
  [key: string]: unknown;
}

export interface LogEntry {
  id: number | string;
  timestamp: string;
  level: string;
  type: string;
  integration: string | null;
  connection_id: string | null;
  method: string | null;
  url: string | null;
  status: number | null;
  duration_ms: number | null;
  bytes_in?: number | null;
  bytes_out?: number | null;
  attempts?: number | null;
  message: string | null;
  details?: {
    attempts?: Attempt[];
    request_headers?: Record<string, string> | [string, string][] | { name: string; value: string }[];
    response_headers?: Record<string, string> | [string, string][] | { name: string; value: string }[];
    [key: string]: unknown;
  } | null;
}

export interface LogQuery {
  integration?: string;
  connection_id?: string;
  status?: string;
  type?: string;
  from?: string;
  to?: string;
  search?: string;
  after_id?: string;
  limit?: number;
}

export interface IntegrationSeries {
  requests: number[];
  errors: number[];
  p50_ms: (number | null)[];
  p99_ms: (number | null)[];
  refreshes: number[];
  refresh_failures: number[];
}

export interface Overview {
  interval_seconds: number;
  timestamps: number[];
  integrations: Record<string, IntegrationSeries>;
}

export type AuthMode = 'OAUTH2' | 'OAUTH1' | 'API_KEY' | 'BASIC' | 'NONE';

/** A blueprint of the built-in catalog (GET /providers), the fields the dashboard shows. */
export interface Provider {
  name: string;
  docs: string;
  description: string;
  categories: string[];
  sources: string[];
  auth_mode: AuthMode;
  proxy: { base_url: string };
}

export interface ConnectSession {
  token: string;
  expires_at: string;
}

let csrfToken = '';
let signedOutListener: () => void = () => {};

/** Called on every 401: the dashboard shows the sign-in page. */
export function onSignedOut(listener: () => void): void {
  signedOutListener = listener;
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const enc = encodeURIComponent;

async function request<T>(method: string, path: string, body?: unknown,
                          headers: Record<string, string> = {}): Promise<T> {
  const sent: Record<string, string> = { Accept: 'application/json', ...headers };
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) sent['X-Ferry-CSRF'] = csrfToken;
  if (body !== undefined) sent['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: sent,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  } catch (error) {
    throw new ApiError(0, 'network_error', `Ferry could not be reached (${String(error)}).`, null);
  }
  const text = await response.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!response.ok) {
    const error = (parsed && typeof parsed === 'object' && 'error' in parsed)
      ? (parsed as { error: ApiErrorBody }).error : null;
    const failure = new ApiError(response.status, error?.code ?? `http_${response.status}`,
      error?.message ?? (typeof parsed === 'string' && parsed ? parsed : response.statusText), parsed);
    // A wrong credential at sign-in is not a lost session.
    if (response.status === 401 && path !== '/dashboard/api/session') signedOutListener();
    throw failure;
  }
  return parsed as T;
}

// Session

export async function getSession(): Promise<Session> {
  const session = await request<Session>('GET', '/dashboard/api/session');
  csrfToken = session.csrf_token;
  return session;
}

export async function signIn(credential: string): Promise<Session> {
  const session = await request<Session>('POST', '/dashboard/api/session', { credential });
  csrfToken = session.csrf_token;
  return session;
}

export async function signOut(): Promise<void> {
  try {
    await request<void>('DELETE', '/dashboard/api/session');
  } finally {
    csrfToken = '';
  }
}

// Integrations and connections

export function getIntegrations(): Promise<IntegrationsResponse> {
  return request('GET', '/dashboard/api/integrations');
}

export async function getConnections(search = '', integration = ''): Promise<ConnectionSummary[]> {
  const body = await request<{ connections: ConnectionSummary[] }>(
    'GET', `/dashboard/api/connections${query({ search, integration })}`);
  return body.connections;
}

export function getConnection(integration: string, connectionId: string): Promise<ConnectionDetail> {
  return request('GET', `/dashboard/api/connections/${enc(integration)}/${enc(connectionId)}`);
}

export function refreshConnection(integration: string, connectionId: string): Promise<ConnectionDetail> {
  return request('POST', `/dashboard/api/connections/${enc(integration)}/${enc(connectionId)}/refresh`, {});
}

export async function deleteConnection(integration: string, connectionId: string): Promise<void> {
  await request<unknown>('DELETE', `/connections/${enc(connectionId)}${query({ provider_config_key: integration })}`);
}

export async function setMetadata(integration: string, connectionId: string,
                                  metadata: Record<string, unknown>): Promise<void> {
  await request<unknown>('POST', '/connections/metadata',
    { connection_id: connectionId, provider_config_key: integration, metadata });
}

export async function createConnectSession(integration: string, connectionId: string): Promise<ConnectSession> {
  const body = await request<{ data: ConnectSession }>('POST', '/connect/sessions', {
    end_user: { id: connectionId },
    allowed_integrations: [integration],
    connection_id: connectionId
  });
  return body.data;
}

// The blueprint catalog

/** The catalog's blueprints, sorted by name; `search` and `category` filter them on the
 *  server (an unknown category is a 400). */
export async function getProviders(search = '', category = ''): Promise<Provider[]> {
  const body = await request<{ data: Provider[] }>('GET', `/providers${query({ search, category })}`);
  return body.data;
}

// Activity and actions

export async function getLogs(filter: LogQuery): Promise<LogEntry[]> {
  const body = await request<{ logs: LogEntry[] }>('GET', `/logs${query({ ...filter })}`);
  return body.logs;
}

export async function getLog(id: string): Promise<LogEntry> {
  const body = await request<LogEntry | { log: LogEntry }>('GET', `/logs/${enc(id)}`);
  // The entry itself; {"log": entry} is read too.
  return 'log' in body && typeof body.log === 'object' ? body.log : body as LogEntry;
}

export function triggerAction(integration: string, connectionId: string, actionName: string,
                              input: unknown): Promise<unknown> {
  return request('POST', '/action/trigger', { action_name: actionName, input },
    { 'Connection-Id': connectionId, 'Provider-Config-Key': integration });
}

export function getOverview(): Promise<Overview> {
  return request('GET', '/dashboard/api/overview');
}
