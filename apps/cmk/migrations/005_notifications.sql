-- Whether each Account's L1 key was usable at its last check: a change is audited once, so tenants'
-- webhooks hear AccountReady / AccountNotReady on the change and not on every check.
alter table accounts add column l1_health text not null default 'usable'
  check (l1_health in ('usable', 'unusable', 'unreachable'));

-- Tenant webhooks (FR-5.2), as the controller declares them from WebHookNotification objects. The
-- audit trail is the outbox: each webhook reads it after its cursor, so an event recorded with its
-- change is delivered even if CMK stops in between. `revision` moves on every change of delivery
-- state, for the controller's feed of statuses to write.
create sequence webhook_revisions;
create table webhooks (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  namespace text not null,
  name text not null,
  generation bigint not null,
  url text not null,
  events text[] not null,
  signing_secret text not null,
  enabled boolean not null,
  cursor bigint not null,
  revision bigint not null default nextval('webhook_revisions'),
  last_attempt_at timestamptz,
  last_event text,
  last_http_status integer,
  last_succeeded boolean,
  last_message text,
  consecutive_failures integer not null default 0,
  delivered bigint not null default 0,
  dropped bigint not null default 0,
  created_at timestamptz not null default now(),
  unique (tenant_id, namespace, name)
);
create index webhooks_revision on webhooks (revision);
