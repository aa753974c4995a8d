export const TEMPLATE_DATABASE = 'barnum_test_template';
export const TEST_APP_LOGIN = 'barnum_test_app';
// A throwaway cluster's password: it never leaves this machine's loopback.
export const TEST_APP_PASSWORD = 'barnum-test-app-password';

/**
 * What a Supabase project has before Barnum's migrations run: the anon and authenticated roles,
 * with default privileges that grant them every new table and function in `public`.
 */
export const supabaseRoles = {
	cluster: `
		DO $$ BEGIN CREATE ROLE anon NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
		DO $$ BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;`,
	database: `
		GRANT USAGE ON SCHEMA public TO anon, authenticated;
		ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated;
		ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated;
		ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated;`,
};
