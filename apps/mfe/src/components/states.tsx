import { BusyIndicator, Button, FlexBox, MessageStrip, Text, Title } from '@openkcm/ui-kit';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client.js';

export function Loading({ what }: { what: string }) {
  return (
    <FlexBox justifyContent="Center" style={{ padding: '2rem' }}>
      <BusyIndicator active delay={200} aria-label={`Loading ${what}`} data-testid="loading" />
    </FlexBox>
  );
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** An API error as the server worded it, with a retry. */
export function LoadError({ what, error, retry }: { what: string; error: unknown; retry?: () => void }) {
  return (
    <MessageStrip design="Negative" hideCloseButton role="alert" data-testid="load-error">
      Could not load {what}: {messageOf(error)}{' '}
      {retry && (
        <Button design="Transparent" onClick={retry}>
          Try again
        </Button>
      )}
    </MessageStrip>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <FlexBox
      direction="Column"
      alignItems="Center"
      style={{ padding: '2.5rem 1rem', gap: '0.75rem' }}
      data-testid="empty"
    >
      <Title level="H4">{title}</Title>
      {children && <Text style={{ textAlign: 'center', maxWidth: '36rem' }}>{children}</Text>}
    </FlexBox>
  );
}

/** Shows what a query is doing: loading, failed, or its data. */
export function QueryView<T>({
  what,
  query,
  children,
}: {
  what: string;
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading what={what} />;
  if (query.data === undefined)
    return <LoadError what={what} error={query.error} retry={() => void query.refetch()} />;
  return (
    <>
      {query.error ? (
        <LoadError what={`the latest ${what}`} error={query.error} retry={() => void query.refetch()} />
      ) : null}
      {children(query.data)}
    </>
  );
}
