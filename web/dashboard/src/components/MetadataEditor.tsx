// A JSON textarea for a connection's metadata; the text must be a JSON object to save.
import { useEffect, useState } from 'preact/hooks';
import { prettyJson } from '../format';
import { describeError } from './ErrorMessage';

interface Props {
  metadata: Record<string, unknown> | null;
  onSave: (metadata: Record<string, unknown>) => Promise<void>;
}

/** The object `text` holds, or the reason it is not one. */
export function parseMetadata(text: string): { value: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `Not valid JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: 'Metadata must be a JSON object, like {"team": "blue"}.' };
  }
  return { value: value as Record<string, unknown> };
}

export function MetadataEditor({ metadata, onSave }: Props) {
  const [text, setText] = useState(prettyJson(metadata ?? {}));
  const [message, setMessage] = useState<{ kind: 'error' | 'ok'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setText(prettyJson(metadata ?? {})), [metadata]);

  const parsed = parseMetadata(text);
  const save = async () => {
    if ('error' in parsed) return;
    setBusy(true);
    setMessage(null);
    try {
      await onSave(parsed.value);
      setMessage({ kind: 'ok', text: 'Metadata saved.' });
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    }
    setBusy(false);
  };
  return (
    <div class="metadata-editor">
      <textarea name="metadata" aria-label="Metadata (JSON)" rows={8} spellcheck={false} value={text}
                onInput={(event) => { setText((event.target as HTMLTextAreaElement).value); setMessage(null); }} />
      {'error' in parsed && <div class="field-error" role="alert">{parsed.error}</div>}
      {message && <div class={`alert ${message.kind}`} role="status">{message.text}</div>}
      <button type="button" class="button" onClick={save} disabled={busy || 'error' in parsed}>
        {busy ? 'Saving…' : 'Save metadata'}
      </button>
    </div>
  );
}
