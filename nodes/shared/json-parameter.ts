/**
 * A `json` node parameter's value: n8n hands it over as text or, from an expression, as the
 * value itself. Text that is not JSON reads as undefined, for the caller to report.
 */
export function jsonParameter(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch {
		return undefined;
	}
}
