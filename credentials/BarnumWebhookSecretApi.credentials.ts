import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The secrets a sender signs its webhooks with, for the Barnum Webhook Trigger. Secrets are read
 * by the same rule as Barnum's own sender (core/signatures/secret-list.ts), so one string pasted
 * on both ends works. There is nothing remote to connect to: the trigger's credential test checks
 * that the secrets are usable.
 */
export class BarnumWebhookSecretApi implements ICredentialType {
	name = 'barnumWebhookSecretApi';

	displayName = 'Barnum Webhook Secret API';

	icon: Icon = { light: 'file:barnum.svg', dark: 'file:barnum.dark.svg' };

	documentationUrl = 'https://github.com/barnum/n8n-nodes-barnum/blob/main/docs/nodes.md#barnum-webhook-trigger';

	properties: INodeProperties[] = [
		{
			displayName: 'Secrets',
			name: 'secrets',
			type: 'string',
			typeOptions: { password: true, rows: 3 },
			default: '',
			required: true,
			placeholder: 'whsec_…',
			description:
				'The signing secret the sender uses. During a rotation give both, the new one first, separated by a new line, a space or a comma. Standard Webhooks secrets look like whsec_… (their base64 part is the key); any other text is used as it is.',
		},
		{
			displayName: 'Verify Token',
			name: 'verifyToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Meta / WhatsApp only: the verify token entered in the Meta app dashboard, which Meta sends back in its GET subscription handshake',
		},
	];
}
