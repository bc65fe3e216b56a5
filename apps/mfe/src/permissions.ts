import { useEnvironment, useStatus } from './api/hooks.js';

/** Whether the caller may change things here, and if not, the sentence a disabled action shows. */
export function usePermission(): { canChange: boolean; why: string | undefined } {
  const status = useStatus();
  const { host } = useEnvironment();
  const role = status.data?.role;
  if (role === 'Admin') return { canChange: true, why: undefined };
  if (!status.data) return { canChange: false, why: 'Loading your role…' };
  return {
    canChange: false,
    why: `Read-only: you are ${role === 'Viewer' ? 'a Viewer' : 'not a member'} of ${host.workspace}. Ask a workspace Admin to make changes.`,
  };
}
