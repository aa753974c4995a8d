import { NodeOperationError, type IExecuteFunctions, type INode } from 'n8n-workflow';
import { parameterProblem } from '../../core/validation/parameters';

/**
 * The node's context with every parameter checked as it is read, so a value PostgreSQL would
 * refuse or store altered (NUL, a broken surrogate, an attempt past 32 bits, a fraction where a
 * whole number goes) fails the item with the parameter's name before any query runs. The other
 * members are n8n's own, bound to it.
 */
export function withCheckedParameters(context: IExecuteFunctions): IExecuteFunctions {
	const read = context.getNodeParameter.bind(context) as (name: string, itemIndex: number, ...rest: unknown[]) => unknown;
	const getNodeParameter = (name: string, itemIndex: number, ...rest: unknown[]) => {
		const value = read(name, itemIndex, ...rest);
		assertStorable(context.getNode(), { [name]: value }, itemIndex);
		return value;
	};
	return new Proxy(context, {
		get(target, property) {
			if (property === 'getNodeParameter') return getNodeParameter;
			const member = Reflect.get(target, property) as unknown;
			return typeof member === 'function' ? member.bind(target) : member;
		},
	});
}

/** Throws, naming the parameter, at the first of these values PostgreSQL would refuse or alter. */
export function assertStorable(node: INode, parameters: Record<string, unknown>, itemIndex?: number): void {
	for (const [name, value] of Object.entries(parameters)) {
		const problem = parameterProblem(name, value);
		if (problem) {
			throw new NodeOperationError(node, `${name} ${problem}`, {
				itemIndex,
				description: 'Fix the highlighted parameter (or the data mapped into it) and run the node again.',
			});
		}
	}
}
