import { Toast } from '@openkcm/ui-kit';
import { createContext, type ReactNode, useCallback, useContext, useState } from 'react';

const NotifyContext = createContext<(text: string) => void>(() => undefined);

/** One toast for the whole Key Chain: every finished action says so in the same place. */
export function NotifyProvider({ children }: { children: ReactNode }) {
  const [notice, setNotice] = useState<{ text: string; at: number }>();
  const tell = useCallback((text: string) => setNotice({ text, at: Date.now() }), []);
  return (
    <NotifyContext.Provider value={tell}>
      {children}
      <Toast
        open={notice !== undefined}
        key={notice?.at}
        onClose={() => setNotice(undefined)}
        data-testid="toast"
      >
        {notice?.text}
      </Toast>
    </NotifyContext.Provider>
  );
}

export const useNotify = () => useContext(NotifyContext);
