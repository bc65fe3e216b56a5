import { Input, Label, Text } from '@openkcm/ui-kit';
import type { ReactNode } from 'react';

/** A labelled text input (named by its visible label) whose problem (when there is one to show) marks it and explains itself. */
export function TextField({
  id,
  label,
  value,
  onChange,
  required = false,
  placeholder,
  problem,
  maxLength,
}: {
  id: string;
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
  placeholder?: string | undefined;
  /** Shown only when set: callers decide whether the user has touched the field yet. */
  problem?: string | undefined;
  /** Enforced by the input and shown as a counter, so the limit is known before it is hit. */
  maxLength?: number;
}) {
  return (
    <>
      <Label id={`${id}-label`} for={id} required={required} showColon>
        {label}
      </Label>
      <Input
        id={id}
        style={{ width: '100%' }}
        // The accessible name is the visible label, so what people read is what screen readers say.
        accessibleNameRef={`${id}-label`}
        value={value}
        placeholder={placeholder}
        onInput={(event) => onChange(event.target.value)}
        valueState={problem ? 'Negative' : 'None'}
        valueStateMessage={<div>{problem}</div>}
        maxlength={maxLength}
      />
      {maxLength !== undefined && (
        <Text style={{ alignSelf: 'flex-end', fontSize: '0.75rem' }} aria-live="polite">
          {value.length} of {maxLength} characters
        </Text>
      )}
    </>
  );
}
