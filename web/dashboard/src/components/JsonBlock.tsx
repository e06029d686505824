// Pretty-printed JSON in a scrollable block.
import { prettyJson } from '../format';

export function JsonBlock({ value, label }: { value: unknown; label?: string }) {
  return <pre class="json" aria-label={label}>{prettyJson(value)}</pre>;
}
