// An error shown to the user: an API error's code and message, or any thrown value.
import { ApiError } from '../api';

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  return <div class="alert error" role="alert">{describeError(error)}</div>;
}
