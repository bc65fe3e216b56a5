import { TextArea } from '@openkcm/ui-kit';
import { stringify } from 'yaml';

/** The object as `kubectl get -o yaml` prints it, read-only (managedFields left out, as kubectl does by default). */
export default function YamlView({ object }: { object: { metadata?: object } }) {
  const { managedFields: _managedFields, ...metadata } = (object.metadata ?? {}) as Record<string, unknown>;
  const text = stringify({ ...object, metadata });
  return (
    <TextArea
      readonly
      value={text}
      accessibleName="YAML"
      rows={Math.min(30, text.split('\n').length)}
      style={{ width: '100%', fontFamily: 'var(--sapFontFamilyMonospace, monospace)' }}
      data-testid="yaml"
    />
  );
}
