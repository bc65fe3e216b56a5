import { Button } from '@openkcm/ui-kit';
import { useNotify } from './notify.js';

/** Copies a name, reference or ID; the toast says what was copied, so the click is never silent. */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const tell = useNotify();
  return (
    <Button
      design="Transparent"
      icon="copy"
      accessibleName={`Copy ${what}`}
      tooltip={`Copy ${what}`}
      onClick={() =>
        void navigator.clipboard.writeText(value).then(
          () => tell(`Copied ${what}`),
          () => tell(`Could not copy ${what}: the browser did not allow it`),
        )
      }
    />
  );
}
