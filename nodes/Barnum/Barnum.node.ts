import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type JsonObject,
} from 'n8n-workflow';
import type pg from 'pg';
import { connectionConfig, type PostgresCredential } from '../../core/db/connection-config';
import { explainDatabaseError } from '../../core/db/explain-error';
import { sharedPool } from '../../core/db/shared-pools';
import { BarnumError } from '../../core/errors';
import { withCheckedParameters } from '../shared/checked-parameters';
import { barnumConnectionTest } from '../shared/credential-test';
import { actionLinkFields, actionLinkOperations, executeActionLink } from './resources/action-link';
import { appointmentFields, appointmentOperations, executeAppointment } from './resources/appointment';
import { bookingFields, bookingOperations, executeBooking } from './resources/booking';
import { clinicDataFields, clinicDataOperations, executeClinicData } from './resources/clinic-data';
import { contactFields, contactOperations, executeContact } from './resources/contact';
import { eventFields, eventOperations, executeEvent } from './resources/event';
import { executeTeamItem, teamItemFields, teamItemOperations } from './resources/team-item';
import { executeWorkflowRecord, workflowRecordFields, workflowRecordOperations } from './resources/workflow-record';
import { executeWhatsApp, sendTemplates, whatsappFields, whatsappOperations, type ItemResult } from './resources/whatsapp';

/** An operation's output for one input item: one item, or several (Team Item → Claim Notices: one per notice). */
type Executor = (this: IExecuteFunctions, pool: pg.Pool, operation: string, itemIndex: number) => Promise<IDataObject | IDataObject[]>;
/** Operations that handle all items of a run together (concurrent sends, grouped writes): results per item, in order. */
type BatchExecutor = (this: IExecuteFunctions, pool: pg.Pool, count: number) => Promise<ItemResult[]>;

const EXECUTORS: Record<string, Executor> = {
	actionLink: executeActionLink,
	appointment: executeAppointment,
	booking: executeBooking,
	clinicData: executeClinicData,
	contact: executeContact,
	event: executeEvent,
	teamItem: executeTeamItem,
	workflowRecord: executeWorkflowRecord,
	whatsapp: executeWhatsApp,
};

const BATCH_EXECUTORS: Record<string, BatchExecutor> = {
	'whatsapp.sendTemplate': sendTemplates,
};

export class Barnum implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Barnum',
		name: 'barnum',
		icon: { light: 'file:barnum.svg', dark: 'file:barnum.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Acknowledge outbox events, answer and feed appointments, record conversations, manage contacts and tell the team what needs a person, in a Barnum database',
		defaults: { name: 'Barnum' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'barnumPostgresApi', required: true, testedBy: 'barnumConnectionTest' },
			{ name: 'barnumWhatsAppApi', required: true, displayOptions: { show: { resource: ['whatsapp'], operation: ['sendTemplate'] } } },
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Action Link', value: 'actionLink' },
					{ name: 'Appointment', value: 'appointment' },
					{ name: 'Booking', value: 'booking' },
					{ name: 'Clinic Data', value: 'clinicData' },
					{ name: 'Contact', value: 'contact' },
					{ name: 'Event', value: 'event' },
					{ name: 'Team Item', value: 'teamItem' },
					{ name: 'WhatsApp', value: 'whatsapp' },
					{ name: 'Workflow Record', value: 'workflowRecord' },
				],
				default: 'event',
			},
			eventOperations,
			appointmentOperations,
			workflowRecordOperations,
			actionLinkOperations,
			contactOperations,
			whatsappOperations,
			bookingOperations,
			clinicDataOperations,
			teamItemOperations,
			...eventFields,
			...appointmentFields,
			...workflowRecordFields,
			...actionLinkFields,
			...contactFields,
			...whatsappFields,
			...bookingFields,
			...clinicDataFields,
			...teamItemFields,
		],
	};

	methods = { credentialTest: { barnumConnectionTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const credential = (await this.getCredentials('barnumPostgresApi')) as PostgresCredential;
		let pool: pg.Pool;
		try {
			pool = sharedPool(connectionConfig(credential), { preparedStatements: credential.preparedStatements });
		} catch (error) {
			throw new NodeOperationError(this.getNode(), (error as Error).message);
		}
		const output: INodeExecutionData[] = [];
		// Resource and operation take no expressions: the same for every item.
		const batch = items.length > 1 ? BATCH_EXECUTORS[`${this.getNodeParameter('resource', 0)}.${this.getNodeParameter('operation', 0)}`] : undefined;
		if (batch) {
			for (const [i, result] of (await batch.call(withCheckedParameters(this), pool, items.length)).entries()) {
				output.push('json' in result ? { json: result.json, pairedItem: { item: i } } : failedItem(this, result.error, i));
			}
			return [output];
		}
		const checked = withCheckedParameters(this);
		for (let i = 0; i < items.length; i++) {
			const resource = this.getNodeParameter('resource', i) as string;
			const operation = this.getNodeParameter('operation', i) as string;
			try {
				const execute = EXECUTORS[resource];
				if (!execute) throw new NodeOperationError(this.getNode(), `Unknown resource "${resource}"`, { itemIndex: i });
				const json = await execute.call(checked, pool, operation, i);
				for (const one of Array.isArray(json) ? json : [json]) output.push({ json: one, pairedItem: { item: i } });
			} catch (caught) {
				output.push(failedItem(this, caught, i));
			}
		}
		return [output];
	}
}

/** With Continue On Fail, the item's error as its output; otherwise the error the node fails with. */
function failedItem(context: IExecuteFunctions, caught: unknown, i: number): INodeExecutionData {
	// An error a resource already made for n8n (WhatsApp's refusal) says what failed: keep it.
	if (caught instanceof NodeApiError || caught instanceof NodeOperationError) {
		if (!context.continueOnFail()) throw caught;
		return { json: { error: caught.message, code: String(caught.context.code ?? 'node_error') }, pairedItem: { item: i } };
	}
	const error = explainDatabaseError(caught);
	if (context.continueOnFail()) {
		return {
			json: { error: (error as Error).message, code: error instanceof BarnumError ? error.code : 'database_error' },
			pairedItem: { item: i },
		};
	}
	if (error instanceof BarnumError) {
		throw new NodeOperationError(context.getNode(), error.message, {
			itemIndex: i,
			description: describe(error),
		});
	}
	throw new NodeApiError(context.getNode(), error as JsonObject, {
		itemIndex: i,
		message: `The Barnum database failed: ${(error as Error).message}`,
	});
}

function describe(error: BarnumError): string {
	switch (error.code) {
		case 'not_found':
			return 'Check the ID: it may belong to another database, or the record was deleted.';
		case 'illegal_transition':
			return 'The appointment is not in a state this operation can start from. Read it with Appointment → Get.';
		case 'conflict':
			return 'The record was already settled by someone else (another execution, the action page or a retry).';
		default:
			return 'Fix the highlighted parameter and run the node again.';
	}
}
