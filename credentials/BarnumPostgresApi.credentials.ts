import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The Barnum database. Use a login that is a member of the barnum_app role the migrations create
 * (see docs/database.md), not the owner or a superuser. Tested by the Barnum nodes' connection
 * test, which also checks the schema version.
 */
export class BarnumPostgresApi implements ICredentialType {
	name = 'barnumPostgresApi';

	displayName = 'Barnum Postgres API';

	icon: Icon = { light: 'file:barnum.svg', dark: 'file:barnum.dark.svg' };

	documentationUrl = 'https://github.com/barnum/n8n-nodes-barnum/blob/main/docs/database.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Connection String',
			name: 'connectionString',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'postgresql://barnum_n8n:password@db.example.com:5432/barnum',
			description: 'A full PostgreSQL URL. When set, the fields below are ignored.',
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: 'localhost',
			displayOptions: { show: { connectionString: [''] } },
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 5432,
			displayOptions: { show: { connectionString: [''] } },
		},
		{
			displayName: 'Database',
			name: 'database',
			type: 'string',
			default: 'barnum',
			displayOptions: { show: { connectionString: [''] } },
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			description: 'A member of the barnum_app role',
			displayOptions: { show: { connectionString: [''] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { connectionString: [''] } },
		},
		{
			displayName: 'Guest Data Key',
			name: 'guestDataKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"The resort channel's GUEST_DATA_KEY (base64, 32 bytes; several during a rotation, newest first). Needed to send to guests (their phone numbers are stored encrypted) and to act on their STOP / START replies.",
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			options: [
				{ name: 'Disable', value: 'disable' },
				{ name: 'Require (Encrypt, Do Not Verify the Certificate)', value: 'require' },
				{ name: 'Verify Full (Encrypt and Verify the Certificate)', value: 'verify-full' },
			],
			default: 'disable',
		},
		{
			displayName: 'Prepared Statements',
			name: 'preparedStatements',
			type: 'boolean',
			default: true,
			description:
				"Whether to send the outbox's claim and acknowledgement as named prepared statements, planned once per connection. Turn off behind a pooler in transaction mode that cannot keep them (Supabase's port 6543, PgBouncer before 1.21); Barnum also notices such a pooler and stops using them.",
		},
	];
}
