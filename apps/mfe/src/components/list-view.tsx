import { Bar, Button, FlexBox, Input, Option, Select, Title } from '@openkcm/ui-kit';
import type { ReactNode } from 'react';
import { words } from '../format.js';

/** How a list report finds, filters and orders its rows; the choices live in the link (`?q=&status=&sort=`). */
export interface ListSpec<T> {
  /** The text a search matches (name, Account, reference…). */
  text: (item: T) => string;
  status: (item: T) => string;
  statuses: readonly string[];
  sorts: Record<string, (a: T, b: T) => number>;
}

export type ListParams = Record<string, string>;

export function applyList<T>(items: T[], spec: ListSpec<T>, params: ListParams): T[] {
  const query = (params.q ?? '').trim().toLowerCase();
  const sort = spec.sorts[params.sort ?? ''] ?? Object.values(spec.sorts)[0];
  return items
    .filter((item) => !query || spec.text(item).toLowerCase().includes(query))
    .filter((item) => !params.status || spec.status(item) === params.status)
    .sort(sort);
}

/** Title with counts, search, status filter and sort, as a Fiori list report's header bar. */
export function ListToolbar({
  title,
  what,
  shown,
  total,
  spec,
  params,
  setParams,
  actions,
}: {
  title: string;
  /** Plural noun for the search's name ("keys"). */
  what: string;
  shown: number;
  total: number;
  spec: { statuses: readonly string[]; sorts: object };
  params: ListParams;
  setParams: (params: ListParams) => void;
  actions?: ReactNode;
}) {
  const set = (name: string, value: string) => setParams({ ...params, [name]: value });
  const filtered = shown !== total;
  return (
    <Bar
      design="Subheader"
      style={{ height: 'auto', flexWrap: 'wrap' }}
      startContent={
        <Title level="H3" data-testid="list-title">
          {title} ({filtered ? `${shown} of ${total}` : total})
        </Title>
      }
      endContent={
        <FlexBox wrap="Wrap" alignItems="Center" style={{ gap: '0.5rem', padding: '0.25rem 0' }}>
          <Input
            type="Search"
            icon={null}
            placeholder={`Search ${what}`}
            accessibleName={`Search ${what}`}
            value={params.q ?? ''}
            onInput={(event) => set('q', event.target.value)}
            style={{ width: '12rem' }}
          />
          <Select
            accessibleName={`Show ${what} with status`}
            onChange={(event) =>
              set('status', (event.detail.selectedOption as HTMLElement).dataset.value ?? '')
            }
            style={{ width: '11rem' }}
          >
            <Option data-value="" selected={!params.status}>
              Any status
            </Option>
            {spec.statuses.map((status) => (
              <Option key={status} data-value={status} selected={params.status === status}>
                {words(status)}
              </Option>
            ))}
          </Select>
          <Select
            accessibleName={`Sort ${what} by`}
            onChange={(event) =>
              set('sort', (event.detail.selectedOption as HTMLElement).dataset.value ?? '')
            }
            style={{ width: '12rem' }}
          >
            {Object.keys(spec.sorts).map((sort, index) => (
              <Option
                key={sort}
                data-value={sort}
                selected={params.sort ? params.sort === sort : index === 0}
              >
                {sort}
              </Option>
            ))}
          </Select>
          {filtered && (
            <Button design="Transparent" icon="decline" onClick={() => setParams({})}>
              Clear filters
            </Button>
          )}
          {actions}
        </FlexBox>
      }
    />
  );
}

const PAGE = 50;

/** Rows a page at a time: hundreds of keys stay quick to render and to read. */
export function growing<T>(items: T[], pages: number): { rows: T[]; more: number } {
  const rows = items.slice(0, pages * PAGE);
  return { rows, more: items.length - rows.length };
}
