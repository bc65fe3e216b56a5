-- How each key version came to be (created, on schedule, rotate-now) and for whom, so a key's
-- history answers "who rotated it" without searching the audit trail. Older versions stay unknown.
alter table key_versions add column origin text check (origin in ('created', 'schedule', 'rotate-now'));
alter table key_versions add column created_by text;
