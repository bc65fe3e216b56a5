-- Tenants that leave (issue 16): deleting the Tenant puts every key and Account of it in the
-- deletion waiting period; when it ends the tenant's data is purged. The row stays as a tombstone
-- (PURGED, with the time), so the workspace is not provisioned again by accident: only a binding
-- made after the purge starts it over.
alter table tenants drop constraint tenants_state_check;
alter table tenants add constraint tenants_state_check
  check (state in ('ACTIVE', 'SUSPENDED', 'OFFBOARDING', 'PURGED'));
alter table tenants add column purge_after timestamptz;
alter table tenants add column purged_at timestamptz;
create index tenants_purge on tenants (purge_after) where state = 'OFFBOARDING';
