import { Button, Popover, Text } from '@openkcm/ui-kit';
import { useId, useState } from 'react';
import { createPortal } from 'react-dom';

const LEVELS: Array<[string, string]> = [
  [
    'L1: your root key',
    'A key you own in your keystore (AWS KMS, OpenBao, an HSM). It never leaves the keystore; it only wraps L2.',
  ],
  [
    'L2: an Account',
    "The tenant's root of trust in OpenKCM, wrapped by one L1 key. Re-keying moves it to another L1 key.",
  ],
  [
    'L3: a service key',
    'What workloads encrypt with, wrapped by its Account. It rotates on its schedule; old versions stay decrypt-only.',
  ],
];

/** L1, L2 and L3 explained where they are used, for people who have not read the design. */
export function HierarchyHelp() {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <>
      <Button id={id} design="Transparent" icon="information" onClick={() => setOpen((current) => !current)}>
        What are L1, L2 and L3?
      </Button>
      {/* In the body, not where the button is: a toolbar's layout styles would show a closed popover. */}
      {createPortal(
        <Popover
          open={open}
          opener={id}
          headerText="The key hierarchy"
          onClose={() => setOpen(false)}
          style={{ maxWidth: '26rem' }}
        >
          <dl style={{ margin: 0, padding: '0.5rem 1rem', fontFamily: 'var(--sapFontFamily)' }}>
            {LEVELS.map(([title, text]) => (
              <div key={title} style={{ marginBottom: '0.5rem' }}>
                <dt style={{ fontWeight: 'bold', color: 'var(--sapTextColor)' }}>{title}</dt>
                <dd style={{ margin: 0, color: 'var(--sapContent_LabelColor)' }}>{text}</dd>
              </div>
            ))}
          </dl>
          <Text style={{ display: 'block', padding: '0.5rem 1rem' }}>
            Losing access to an L1 key makes everything below it unreadable; that is what crypto-shredding
            means.
          </Text>
        </Popover>,
        document.body,
      )}
    </>
  );
}
