-- The role Atrium logs in as through PgBouncer (README: PgBouncer): PgBouncer drops the start-up
-- option that would switch to atrium_app, so the login role must be a member of atrium_app that is
-- neither superuser nor BYPASSRLS and owns nothing; it carries the statement timeout itself.
-- Runs after the migrations (they create atrium_app); run again, it changes nothing.
select format('create role atrium_login login password %L in role atrium_app', :'login_password')
where not exists (select from pg_roles where rolname = 'atrium_login') \gexec
alter role atrium_login set statement_timeout = '15s';
