// Types of Ferry's frontend SDK (/sdk/ferry-frontend.js, loaded by index.html), which sets
// window.Ferry.

export interface FerryAuthResult {
  integration: string;
  providerConfigKey: string;
  connectionId: string;
}

/** What auth() rejects with (Ferry.AuthError): e.g. blocked_by_browser, window_closed. */
export interface FerryAuthError {
  type: string;
  message: string;
}

export interface FerryOptions {
  host: string;
  publicKey?: string;
  connectSessionToken?: string;
  websocketsPath?: string;
}

export interface FerryClient {
  auth(integration: string, connectionId?: string,
       options?: { params?: Record<string, string>; user_scope?: string | string[] }): Promise<FerryAuthResult>;
}

declare global {
  interface Window {
    Ferry?: new (options: FerryOptions) => FerryClient;
  }
}

/** A client for this server with a connect session token; null when the SDK did not load. */
export function ferryClient(connectSessionToken: string): FerryClient | null {
  const Ferry = window.Ferry;
  return Ferry ? new Ferry({ host: location.origin, connectSessionToken }) : null;
}

export function isAuthError(value: unknown): value is FerryAuthError {
  return typeof value === 'object' && value !== null && 'type' in value && 'message' in value;
}
