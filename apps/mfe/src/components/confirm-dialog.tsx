import { Bar, Button, Dialog, MessageStrip } from '@openkcm/ui-kit';
import { type ReactNode, useState } from 'react';
import { ApiError } from '../api/client.js';
import { messageOf } from './states.js';

/**
 * Asks before a dangerous change and shows the server's refusal in place, so the user sees why
 * nothing happened without losing what they were doing.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmText,
  confirmDesign = 'Emphasized',
  canConfirm = true,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmText: string;
  confirmDesign?: 'Emphasized' | 'Negative';
  canConfirm?: boolean;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const close = () => {
    setError(undefined);
    onClose();
  };
  return (
    <Dialog
      open={open}
      headerText={title}
      accessibleName={title}
      onClose={close}
      style={{ maxWidth: '36rem' }}
      footer={
        <Bar
          endContent={
            <>
              <Button
                design={confirmDesign}
                disabled={!canConfirm || busy}
                onClick={async () => {
                  setBusy(true);
                  setError(undefined);
                  try {
                    await onConfirm();
                    close();
                  } catch (failure) {
                    setError(failure);
                  } finally {
                    setBusy(false);
                  }
                }}
              >
                {confirmText}
              </Button>
              <Button design="Transparent" onClick={close}>
                Cancel
              </Button>
            </>
          }
        />
      }
    >
      {children}
      {error !== undefined && (
        <MessageStrip
          design="Negative"
          hideCloseButton
          role="alert"
          style={{ marginTop: '1rem' }}
          data-testid="dialog-error"
        >
          {messageOf(error)}
          {dependentsOf(error).length > 0 && (
            <ul aria-label="Dependent service keys" data-testid="dependents">
              {dependentsOf(error).map((name) => (
                <li key={name}>{name}</li>
              ))}
            </ul>
          )}
        </MessageStrip>
      )}
    </Dialog>
  );
}

/** The keys a refused Account deletion names (FR-204). */
function dependentsOf(error: unknown): string[] {
  if (!(error instanceof ApiError)) return [];
  const dependents = error.details.dependents;
  return Array.isArray(dependents)
    ? dependents.filter((name): name is string => typeof name === 'string')
    : [];
}
