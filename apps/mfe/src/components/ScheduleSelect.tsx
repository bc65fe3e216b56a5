import { FlexBox, Input, Option, Select } from '@openkcm/ui-kit';
import { useState } from 'react';
import { namedSchedule, SCHEDULES, scheduleProblem } from '../schedules.js';

const CUSTOM = 'custom';

/** A named rotation schedule, or a custom one read as the CRD reads it. */
export function ScheduleSelect({
  value,
  onChange,
  disabled,
  tooltip,
  accessibleName,
  onIncomplete,
}: {
  value: string;
  onChange: (value: string) => void;
  /** Called when Custom is chosen but no valid schedule is typed yet (a form then refuses to go on). */
  onIncomplete?: () => void;
  disabled?: boolean;
  tooltip?: string | undefined;
  accessibleName: string;
}) {
  const named = namedSchedule(value) !== undefined;
  const [custom, setCustom] = useState(named ? '' : value);
  const [customMode, setCustomMode] = useState(!named);
  const problem = customMode ? scheduleProblem(custom) : undefined;
  return (
    <FlexBox style={{ gap: '0.25rem' }} alignItems="Center">
      <Select
        accessibleName={accessibleName}
        disabled={disabled}
        tooltip={tooltip}
        onChange={(event) => {
          const chosen = (event.detail.selectedOption as HTMLElement & { value?: string }).value ?? '';
          if (chosen === CUSTOM) {
            setCustomMode(true);
            if (scheduleProblem(custom)) onIncomplete?.();
            else onChange(custom);
            return;
          }
          setCustomMode(false);
          onChange(chosen);
        }}
        style={{ width: '9rem' }}
      >
        {SCHEDULES.map((schedule) => (
          <Option
            key={schedule.value}
            value={schedule.value}
            selected={!customMode && schedule.value === namedSchedule(value)?.value}
          >
            {schedule.label}
          </Option>
        ))}
        <Option value={CUSTOM} selected={customMode}>
          Custom…
        </Option>
      </Select>
      {customMode && (
        <Input
          accessibleName={`${accessibleName}, custom`}
          value={custom}
          placeholder="12h, 14 Days"
          disabled={disabled}
          style={{ width: '7rem' }}
          valueState={problem && (custom || onIncomplete) ? 'Negative' : 'None'}
          valueStateMessage={<div>{problem}</div>}
          onInput={(event) => {
            setCustom(event.target.value);
            // In a form each keystroke counts; in a list only the finished value is saved.
            if (!onIncomplete) return;
            if (scheduleProblem(event.target.value)) onIncomplete();
            else onChange(event.target.value);
          }}
          onChange={(event) => {
            if (!scheduleProblem(event.target.value)) onChange(event.target.value);
          }}
        />
      )}
    </FlexBox>
  );
}
