-- The Crypto Edge (data plane): who may use a key, which edges are enrolled, what changed for
-- them (a per-tenant revision, so a reconnecting edge resumes where it stopped) and which
-- workloads used which key recently (FR-302 active clients).
alter table service_keys add column allowed_workloads jsonb not null default '[]';
alter table tenants add column edge_revision bigint not null default 0;

create table crypto_edges (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  name text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz,
  certificate_not_after timestamptz,
  validity_hours integer not null check (validity_hours between 1 and 720),
  unique (tenant_id, name)
);

create table edge_changes (
  tenant_id uuid not null references tenants (id),
  revision bigint not null,
  subject_kind text not null check (subject_kind in ('key', 'tenant')),
  subject_name text not null,
  primary key (tenant_id, revision)
);

create table edge_key_clients (
  tenant_id uuid not null references tenants (id),
  key_name text not null,
  workload text not null,
  edge_id uuid not null,
  last_seen_at timestamptz not null,
  primary key (tenant_id, key_name, workload, edge_id)
);
