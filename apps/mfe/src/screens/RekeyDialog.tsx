import type { Account } from '@openkcm/api';
import { FlexBox, MessageStrip, Text } from '@openkcm/ui-kit';
import { useState } from 'react';
import { useRekeyAccount } from '../api/hooks.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { TextField } from '../components/TextField.js';
import { KEY_REFERENCE_FORMATS, keyReferenceProblem, type ProviderType } from '../providers.js';

/** FR-203: re-keying re-wraps the whole chain, so the Account's name must be typed to confirm. */
export function RekeyDialog({ account, onClose }: { account: Account | undefined; onClose: () => void }) {
  const rekey = useRekeyAccount();
  const [keyReference, setKeyReference] = useState('');
  const [confirm, setConfirm] = useState('');
  const name = account?.metadata.name ?? '';
  const providerType = String(account?.spec.providerType ?? '');
  const problem = keyReference ? keyReferenceProblem(providerType, keyReference) : undefined;
  const close = () => {
    setKeyReference('');
    setConfirm('');
    onClose();
  };
  return (
    <ConfirmDialog
      open={account !== undefined}
      title={`Re-key Account ${name}`}
      confirmText="Re-key"
      confirmDesign="Negative"
      canConfirm={
        confirm === name && keyReference !== '' && !problem && keyReference !== account?.spec.keyReference
      }
      onConfirm={() => rekey.mutateAsync({ name, keyReference, confirm })}
      onClose={close}
    >
      <FlexBox direction="Column" style={{ gap: '0.5rem' }}>
        <MessageStrip design="Critical" hideCloseButton>
          Every key version protected by {name} is re-wrapped under the new root key. Data stays readable
          throughout; this can take a while for many keys.
        </MessageStrip>
        <Text>Current root key: {String(account?.spec.keyReference ?? '')}</Text>
        <TextField
          id="rekey-reference"
          label={`New ${KEY_REFERENCE_FORMATS[providerType as ProviderType]?.description ?? 'key reference'}`}
          required
          value={keyReference}
          placeholder={KEY_REFERENCE_FORMATS[providerType as ProviderType]?.example}
          onChange={setKeyReference}
          problem={problem}
        />
        <TextField
          id="rekey-confirm"
          label={`Type the Account name "${name}" to confirm`}
          required
          value={confirm}
          onChange={setConfirm}
        />
      </FlexBox>
    </ConfirmDialog>
  );
}
