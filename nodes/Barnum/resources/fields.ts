import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

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

/** A resource's Operation selector: fixed per run (no expressions), as the node reads it once. */
export function operationField(resource: string, options: INodePropertyOptions[], defaultOperation: string): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		options,
		default: defaultOperation,
	};
}
