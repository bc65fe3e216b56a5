import type { Condition } from '@openkcm/api';
import { Bar, FlexBox, Link, Tab, TabContainer, Title } from '@openkcm/ui-kit';
import { lazy, type ReactElement, type ReactNode, Suspense, useState } from 'react';
import type { EventKind } from '../api/hooks.js';
import { hrefOf, type Screen } from '../routing.js';
import { AuditList } from './AuditList.js';
import { Conditions, ObjectEvents } from './object-parts.js';
import { Loading } from './states.js';
import { PhaseStatus } from './status.js';

const YamlView = lazy(() => import('./YamlView.js'));

/** The link from an object page back to its list. */
export function BackLink({ screen, list }: { screen: Screen; list: string }) {
  return (
    <Link href={hrefOf({ screen })} accessibleName={`Back to the ${list}`}>
      ← {list.charAt(0).toUpperCase()}
      {list.slice(1)}
    </Link>
  );
}

/**
 * An object page as Fiori lays one out: title with status and actions, the fields, then tabs; the
 * first tab is the object's own, the others (conditions and Events, audit trail, YAML) every object has.
 */
export function ObjectPage({
  kind,
  name,
  phase,
  actions,
  banner,
  fields,
  conditions,
  auditFilters,
  object,
  ownTab,
}: {
  kind: EventKind;
  name: string;
  phase: string;
  actions: ReactElement;
  banner?: ReactNode;
  fields: ReactNode;
  conditions: Condition[] | undefined;
  auditFilters: Record<string, string>;
  /** As the API server holds it, for the YAML view. */
  object: { metadata?: object };
  ownTab: { id: string; text: string; content: ReactNode };
}) {
  const [tab, setTab] = useState(ownTab.id);
  return (
    <>
      <Bar
        startContent={
          <FlexBox alignItems="Center" style={{ gap: '0.75rem', flexWrap: 'wrap' }}>
            <Title level="H3">{name}</Title>
            <PhaseStatus phase={phase} />
          </FlexBox>
        }
        endContent={actions}
      />
      {banner}
      <FlexBox wrap="Wrap" style={{ gap: '1rem 2rem', padding: '0.5rem 0' }}>
        {fields}
      </FlexBox>
      <TabContainer
        contentBackgroundDesign="Transparent"
        onTabSelect={(event) => setTab(event.detail.tab.dataset.tab ?? ownTab.id)}
      >
        <Tab text={ownTab.text} data-tab={ownTab.id} selected={tab === ownTab.id}>
          {tab === ownTab.id && ownTab.content}
        </Tab>
        <Tab text="Conditions and events" data-tab="conditions" selected={tab === 'conditions'}>
          {tab === 'conditions' && (
            <>
              <Conditions conditions={conditions} />
              <ObjectEvents kind={kind} name={name} />
            </>
          )}
        </Tab>
        <Tab text="Audit trail" data-tab="audit" selected={tab === 'audit'}>
          {tab === 'audit' && <AuditList filters={auditFilters} />}
        </Tab>
        <Tab text="YAML" data-tab="yaml" selected={tab === 'yaml'}>
          {tab === 'yaml' && (
            <Suspense fallback={<Loading what="the YAML" />}>
              <YamlView object={object} />
            </Suspense>
          )}
        </Tab>
      </TabContainer>
    </>
  );
}
