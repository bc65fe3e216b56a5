-- Tenants that leave (issue 16): deleting the Tenant puts every key and Account of it in the
-- deletion waiting period; when it ends the tenant is purged, leaving one audit record behind.
alter table tenants drop constraint tenants_state_check;
alter table tenants add constraint tenants_state_check check (state in ('ACTIVE', 'SUSPENDED', 'OFFBOARDING'));
alter table tenants add column purge_after timestamptz;
create index tenants_purge on tenants (purge_after) where state = 'OFFBOARDING';
