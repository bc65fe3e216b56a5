-- The key hierarchy: tenants, L2 roots per Account (one row per generation, wrapped by L1),
-- L3 service keys and their versions (each wrapped by the L2 root of its generation).
create table tenants (
  id uuid primary key,
  workspace text not null unique,
  state text not null check (state in ('ACTIVE', 'SUSPENDED')),
  region text,
  audiences jsonb not null default '[]',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table accounts (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  name text not null,
  provider_type text not null,
  key_reference text not null,
  access_data jsonb not null default '{}',
  state text not null check (state in ('ACTIVE', 'REKEYING', 'PENDING_DELETION', 'DESTROYED')),
  current_generation integer not null,
  rekey_target_reference text,
  rekey_target_generation integer,
  rekey_total integer,
  rekey_done integer,
  rekey_started_at timestamptz,
  rekey_completed_at timestamptz,
  delete_after timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, name)
);

create table account_roots (
  account_id uuid not null references accounts (id),
  generation integer not null,
  key_reference text not null,
  access_data jsonb not null default '{}',
  l1_key_version text not null,
  wrapped bytea,
  state text not null check (state in ('ACTIVE', 'RETIRED', 'DESTROYED')),
  destroy_after timestamptz,
  created_at timestamptz not null default now(),
  primary key (account_id, generation)
);

create table service_keys (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  account_id uuid not null references accounts (id),
  name text not null,
  algorithm text not null,
  state text not null check (state in ('ENABLED', 'DISABLED', 'PENDING_DELETION', 'DESTROYED')),
  state_before_deletion text,
  rotation_interval_seconds integer not null check (rotation_interval_seconds >= 3600),
  next_rotation_at timestamptz not null,
  last_rotation_at timestamptz,
  current_version integer not null,
  retain_versions integer check (retain_versions is null or retain_versions >= 1),
  retain_seconds integer check (retain_seconds is null or retain_seconds >= 3600),
  delete_after timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, name)
);
create index service_keys_due on service_keys (next_rotation_at) where state = 'ENABLED';
create index service_keys_account on service_keys (account_id);

create table key_versions (
  key_id uuid not null references service_keys (id),
  version integer not null,
  account_generation integer not null,
  wrapped bytea,
  state text not null check (state in ('ACTIVE', 'DESTROY_SCHEDULED', 'DESTROYED')),
  destroy_after timestamptz,
  created_at timestamptz not null default now(),
  primary key (key_id, version)
);
create index key_versions_generation on key_versions (account_generation, key_id);
create index key_versions_destroy on key_versions (destroy_after) where state = 'DESTROY_SCHEDULED';

-- A rotate request id (or a scheduled due time) is acted on once.
create table rotation_requests (
  key_id uuid not null references service_keys (id),
  request_id text not null,
  version integer not null,
  created_at timestamptz not null default now(),
  primary key (key_id, request_id)
);

create table audit_events (
  id bigserial primary key,
  tenant_id uuid references tenants (id),
  actor text not null,
  action text not null,
  subject text not null,
  result text not null,
  details jsonb not null default '{}',
  occurred_at timestamptz not null default now()
);
create index audit_events_tenant on audit_events (tenant_id, id);
