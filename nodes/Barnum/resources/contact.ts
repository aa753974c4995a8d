import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type pg from 'pg';
import { setOptOut } from '../../../core/contacts';
import { forOperations } from './fields';

const R = 'contact';

export const contactOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [R] } },
	options: [
		{ name: 'Opt In', value: 'optIn', action: 'Opt a contact in', description: 'Allow WhatsApp messages to a patient again' },
		{ name: 'Opt Out', value: 'optOut', action: 'Opt a contact out', description: 'Stop all WhatsApp messages to a patient (STOP)' },
	],
	default: 'optOut',
};

export const contactFields: INodeProperties[] = [
	forOperations(R, ['optIn', 'optOut'], {
		displayName: 'Find Patient By',
		name: 'findBy',
		type: 'options',
		options: [
			{ name: 'ID', value: 'id' },
			{ name: 'Phone Number', value: 'phone' },
		],
		default: 'phone',
	}),
	{
		displayName: 'Patient ID',
		name: 'patientId',
		type: 'string',
		required: true,
		default: '',
		displayOptions: { show: { resource: [R], findBy: ['id'] } },
	},
	{
		displayName: 'Phone Number',
		name: 'phone',
		type: 'string',
		required: true,
		default: '',
		placeholder: '+351912345678',
		description: 'E.164, as WhatsApp sends it (add the + if it is missing)',
		displayOptions: { show: { resource: [R], findBy: ['phone'] } },
	},
];

export async function executeContact(this: IExecuteFunctions, pool: pg.Pool, operation: string, i: number): Promise<IDataObject> {
	const byId = this.getNodeParameter('findBy', i) === 'id';
	const rawPhone = byId ? '' : String(this.getNodeParameter('phone', i)).trim();
	// WhatsApp webhooks give numbers without the plus ("351912345678").
	const phone = rawPhone && !rawPhone.startsWith('+') ? `+${rawPhone}` : rawPhone;
	const patient = await setOptOut(pool, {
		patientId: byId ? (this.getNodeParameter('patientId', i) as string) : null,
		phone: byId ? null : phone,
		optedOut: operation === 'optOut',
	});
	return { patientId: patient.id, optedOut: patient.whatsapp_opted_out_at !== null, optedOutAt: patient.whatsapp_opted_out_at } as IDataObject;
}
