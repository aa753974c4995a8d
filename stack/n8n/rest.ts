import { StackError } from '../run';

export interface N8nOwner {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

export interface N8nExecution {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
}

export interface N8nWorkflowSummary {
	id: string;
	name: string;
	active: boolean;
	versionId?: string;
	activeVersionId?: string | null;
}

/**
 * n8n's internal REST API (what its editor uses), logged in as the owner: how the stack activates
 * the bundled workflows after n8n starts and how tests read executions.
 */
export class N8nRest {
	private cookie = '';

	constructor(
		readonly url: string,
		private readonly owner: Pick<N8nOwner, 'email' | 'password'>,
	) {}

	async request<T>(method: string, path: string, body?: unknown): Promise<T> {
		if (!this.cookie) await this.login();
		let res = await this.send(method, path, body);
		if (res.status === 401) {
			await this.login();
			res = await this.send(method, path, body);
		}
		const text = await res.text();
		if (!res.ok) throw new StackError(`n8n ${method} ${path}: ${res.status} ${describe(text)}`);
		return (JSON.parse(text) as { data: T }).data;
	}

	private send(method: string, path: string, body?: unknown): Promise<Response> {
		return fetch(`${this.url}/rest${path}`, {
			method,
			headers: { cookie: this.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	}

	private async login(): Promise<void> {
		const res = await fetch(`${this.url}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: this.owner.email, password: this.owner.password }),
		});
		if (!res.ok) throw new StackError(`n8n login as ${this.owner.email} failed: ${res.status} ${describe(await res.text())}`);
		this.cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
	}

	async workflows(): Promise<N8nWorkflowSummary[]> {
		return this.request<N8nWorkflowSummary[]>('GET', '/workflows');
	}

	/** Publishes the workflow's current version, which makes it active (n8n 2.x). */
	async activate(id: string): Promise<void> {
		const workflow = await this.request<N8nWorkflowSummary>('GET', `/workflows/${encodeURIComponent(id)}`);
		if (!workflow.versionId) throw new StackError(`n8n workflow ${id} has no version to publish`);
		await this.request('POST', `/workflows/${encodeURIComponent(id)}/activate`, { versionId: workflow.versionId });
	}

	async executions(workflowId?: string): Promise<N8nExecution[]> {
		const filter = workflowId ? `?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=250` : '?limit=250';
		return (await this.request<{ results: N8nExecution[] }>('GET', `/executions${filter}`)).results;
	}

	/** What a failed execution's error says: the first error message in its data. */
	async executionError(id: string): Promise<string> {
		const execution = await this.request<{ data?: string }>('GET', `/executions/${encodeURIComponent(id)}`);
		// n8n stores execution data "flatted": one array, values referring to others by index.
		let table: unknown[];
		try {
			table = JSON.parse(execution.data ?? '[]') as unknown[];
		} catch {
			return 'execution data unreadable';
		}
		const deref = (value: unknown) => (typeof value === 'string' && /^\d+$/.test(value) ? table[Number(value)] : value);
		for (const entry of table) {
			if (entry && typeof entry === 'object' && 'message' in entry && ('name' in entry || 'description' in entry)) {
				const message = deref((entry as { message: unknown }).message);
				if (typeof message === 'string' && message) return message.slice(0, 300);
			}
		}
		const hints = table.filter((v): v is string => typeof v === 'string' && /error|timeout|ECONN|refused|unreach/i.test(v)).slice(0, 3);
		return hints.length ? hints.join(' | ').slice(0, 300) : `no message recorded (${(execution.data ?? '').length} bytes of data)`;
	}
}

/** n8n's error bodies are JSON with a message; keep what a person can read. */
function describe(text: string): string {
	try {
		const body = JSON.parse(text) as { message?: string };
		if (body.message) return body.message;
	} catch {
		// Not JSON.
	}
	return text.slice(0, 500);
}
