import type { ICredentialDataDecryptedObject, ICredentialTestRequest, ICredentialType, IHttpRequestOptions, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The WhatsApp Cloud API: a permanent access token (a system user's) and the sending phone
 * number's id. The base URL points at Meta, or at Barnum's sandbox in tests and the local stack.
 */
export class BarnumWhatsAppApi implements ICredentialType {
	name = 'barnumWhatsAppApi';

	displayName = 'Barnum WhatsApp API';

	icon: Icon = { light: 'file:barnum.svg', dark: 'file:barnum.dark.svg' };

	documentationUrl = 'https://github.com/barnum/n8n-nodes-barnum/blob/main/docs/whatsapp-templates.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: "A system user's permanent token with the whatsapp_business_messaging permission",
		},
		{
			displayName: 'Phone Number ID',
			name: 'phoneNumberId',
			type: 'string',
			default: '',
			required: true,
			description: 'The ID of the sending number (WhatsApp Manager → API Setup), not the number itself',
		},
		{
			displayName: 'Graph API Version',
			name: 'graphApiVersion',
			type: 'string',
			default: 'v21.0',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://graph.facebook.com',
			description: "Meta's Graph API, or Barnum's WhatsApp sandbox for testing",
		},
	];

	// A function rather than n8n's declarative form: n8n 2.40.7 resolves a declarative header as an
	// expression in its expression engine for every request, which cost more CPU than the rest of a
	// send (docs/performance.md, "WhatsApp sends through n8n").
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		return { ...requestOptions, headers: { ...requestOptions.headers, Authorization: `Bearer ${String(credentials.accessToken)}` } };
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '=/{{$credentials.graphApiVersion}}/{{$credentials.phoneNumberId}}',
		},
	};
}
