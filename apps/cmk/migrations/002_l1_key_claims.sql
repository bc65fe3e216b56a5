-- Each L1 key belongs to the organisation whose tenant first built an Account on it: workspaces of
-- that organisation may share it, nobody else can wrap with it (or learn that it exists).
create table l1_key_claims (
  provider_type text not null,
  key_reference text not null,
  organisation text not null,
  claimed_at timestamptz not null default now(),
  primary key (provider_type, key_reference)
);

insert into l1_key_claims (provider_type, key_reference, organisation)
select distinct on (a.provider_type, r.key_reference)
  a.provider_type, r.key_reference, array_to_string((string_to_array(t.workspace, ':'))[1:3], ':')
from account_roots r join accounts a on a.id = r.account_id join tenants t on t.id = a.tenant_id
order by a.provider_type, r.key_reference, a.created_at
on conflict do nothing;
