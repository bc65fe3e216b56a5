import type { ServiceEncryptionKey } from '@openkcm/api';
import { Button, FlexBox, MessageStrip, Text } from '@openkcm/ui-kit';
import { type ReactNode, useState } from 'react';
import { useDeleteKey, useRotateKey, useUpdateKey } from '../api/hooks.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { useNotify } from '../components/notify.js';
import { TextField } from '../components/TextField.js';
import { usePermission } from '../permissions.js';

export type KeyAction = 'rotate' | 'toggle' | 'delete';

/**
 * What a key offers (rotate now, disable/enable, delete) with its confirmations, shared by the list's
 * row actions and the key's page. Deleting destroys data, so the key's name must be typed.
 */
export function useKeyActions(onDeleted?: () => void): {
  act: (action: KeyAction, key: ServiceEncryptionKey) => void;
  failure: string | undefined;
  dialogs: ReactNode;
} {
  const update = useUpdateKey();
  const rotate = useRotateKey();
  const remove = useDeleteKey();
  const tell = useNotify();
  const [toggling, setToggling] = useState<ServiceEncryptionKey>();
  const [deleting, setDeleting] = useState<ServiceEncryptionKey>();
  const [typed, setTyped] = useState('');
  const [failure, setFailure] = useState<string>();
  const act = (action: KeyAction, key: ServiceEncryptionKey) => {
    const name = key.metadata.name ?? '';
    if (action === 'toggle') return setToggling(key);
    if (action === 'delete') {
      setTyped('');
      return setDeleting(key);
    }
    const version = key.status?.currentVersion ?? 0;
    rotate.mutateAsync(name).then(
      () => {
        setFailure(undefined);
        tell(`Rotation of ${name} requested: v${version} → v${version + 1}`);
      },
      (error: unknown) => setFailure(error instanceof Error ? error.message : String(error)),
    );
  };
  const enabling = toggling?.spec.state === 'Disabled';
  const deletingName = deleting?.metadata.name ?? '';
  const dialogs = (
    <>
      <ConfirmDialog
        open={toggling !== undefined}
        title={`${enabling ? 'Enable' : 'Disable'} ${toggling?.metadata.name ?? ''}`}
        confirmText={enabling ? 'Enable' : 'Disable'}
        confirmDesign={enabling ? 'Emphasized' : 'Negative'}
        onConfirm={async () => {
          const name = toggling?.metadata.name ?? '';
          const state = enabling ? 'Enabled' : 'Disabled';
          await update.mutateAsync({ name, state });
          tell(`${name} is ${state.toLowerCase()}`);
        }}
        onClose={() => setToggling(undefined)}
      >
        <Text>
          {enabling
            ? 'Workloads can encrypt and decrypt with this key again.'
            : 'Every Crypto Edge forgets this key and every decryption with it fails until it is enabled again. Rotation pauses.'}
        </Text>
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete ${deletingName}`}
        confirmText="Delete"
        confirmDesign="Negative"
        canConfirm={typed === deletingName}
        onConfirm={async () => {
          await remove.mutateAsync(deletingName);
          tell(`${deletingName} is scheduled for deletion; cancel it under Pending deletion`);
          onDeleted?.();
        }}
        onClose={() => setDeleting(undefined)}
      >
        <FlexBox direction="Column" style={{ gap: '0.5rem' }}>
          <MessageStrip design="Critical" hideCloseButton>
            All versions of this key are destroyed after CMK's waiting period; data encrypted with it cannot
            be decrypted afterwards. Until then the deletion can be cancelled under Pending deletion.
          </MessageStrip>
          <TextField
            id="delete-key-confirm"
            label={`Type the key name "${deletingName}" to confirm`}
            required
            value={typed}
            onChange={setTyped}
          />
        </FlexBox>
      </ConfirmDialog>
    </>
  );
  return { act, failure, dialogs };
}

/** Rotate now, Disable/Enable and Delete for one key, named after it (rows list many keys). */
export function KeyActionButtons({
  keyObject,
  act,
}: {
  keyObject: ServiceEncryptionKey;
  act: (action: KeyAction, key: ServiceEncryptionKey) => void;
}) {
  const { canChange, why } = usePermission();
  const name = keyObject.metadata.name ?? '';
  const disabled = keyObject.spec.state === 'Disabled';
  return (
    <FlexBox style={{ gap: '0.25rem' }} wrap="Wrap">
      <Button
        icon="refresh"
        disabled={!canChange || disabled}
        tooltip={why ?? (disabled ? 'Enable the key to rotate it' : 'Create a new version now')}
        accessibleName={`Rotate now: ${name}`}
        onClick={() => act('rotate', keyObject)}
      >
        Rotate now
      </Button>
      <Button
        icon={disabled ? 'play' : 'locked'}
        disabled={!canChange}
        tooltip={why}
        accessibleName={`${disabled ? 'Enable' : 'Disable'} ${name}`}
        onClick={() => act('toggle', keyObject)}
      >
        {disabled ? 'Enable' : 'Disable'}
      </Button>
      <Button
        icon="delete"
        design="Transparent"
        disabled={!canChange}
        tooltip={why ?? 'Delete this key'}
        accessibleName={`Delete ${name}`}
        onClick={() => act('delete', keyObject)}
      >
        Delete
      </Button>
    </FlexBox>
  );
}
