import { createRoot } from 'react-dom/client';
import { checkHostContext, type HostContext } from './host-context.js';
import { KeyChain } from './KeyChain.js';

export interface MountedKeyChain {
  /** New token getter, workspace, theme or locale from the host; applied without a reload. */
  update(changes: Partial<HostContext>): void;
  unmount(): void;
}

/** For hosts that are not React (the Console's Luigi frames, a plain page): mount into an element. */
export function mount(element: HTMLElement, context: HostContext): MountedKeyChain {
  let current = checkHostContext(context);
  const root = createRoot(element);
  root.render(<KeyChain context={current} />);
  return {
    update(changes) {
      current = checkHostContext({ ...current, ...changes });
      root.render(<KeyChain context={current} />);
    },
    unmount() {
      root.unmount();
    },
  };
}

export type { HostContext };
