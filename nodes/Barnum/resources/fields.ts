import type { INodeProperties } from 'n8n-workflow';

/** A field shown only for the given resource and operations. */
export function forOperations(resource: string, operations: string[], field: INodeProperties): INodeProperties {
	return { ...field, displayOptions: { show: { resource: [resource], operation: operations } } };
}

export const uuidField = (name: string, displayName: string, description: string): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	required: true,
	default: '',
	placeholder: '550e8400-e29b-41d4-a716-446655440000',
	description,
});
