import { createHash } from 'node:crypto';
import { existsSync, readFileSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { writePrivate } from '../data-dir';
import { StackError } from '../run';
import { PACKAGE_NAME, packBarnum } from './install';
import { bundledWorkflows, type CredentialDefinition } from './provision';

/**
 * An n8n the stack does not run (N8N_URL). With an API key (N8N_API_KEY, Settings → n8n API) the
 * stack creates the credentials and the bundled workflows through n8n's public API and publishes
 * them, remembering the ids it got (remote-n8n.json) so a restart updates instead of duplicating.
 * Without one it writes what to import and prints how. Either way the community package has to be
 * installed in that n8n by its owner: the public API installs packages from the npm registry only.
 */

interface RemoteState {
	url: string;
	/** Template credential id → id in the remote n8n, with the hash of what was sent. */
	credentials: Record<string, { id: string; sha: string }>;
	workflows: Record<string, { id: string; sha: string }>;
}

const sha256 = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

class PublicApi {
	constructor(
		private readonly base: string,
		private readonly apiKey: string,
	) {}

	async call<T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
		const res = await fetch(`${this.base}/api/v1${route}`, {
			method,
			headers: { 'x-n8n-api-key': this.apiKey, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		let parsed: unknown = text;
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			// Not JSON: keep the text for the error.
		}
		return { status: res.status, body: parsed as T };
	}

	async must<T>(method: string, route: string, body?: unknown): Promise<T> {
		const answer = await this.call<T>(method, route, body);
		if (answer.status >= 300) {
			const message = (answer.body as { message?: string } | undefined)?.message ?? JSON.stringify(answer.body).slice(0, 300);
			throw new StackError(`n8n public API ${method} ${route}: ${answer.status} ${message}`);
		}
		return answer.body;
	}
}

export interface RemoteResult {
	/** Bundled workflow name → id in that n8n. */
	workflows: Record<string, string>;
	/** Lines telling the person what is left for them to do. */
	instructions: string[];
}

export async function provisionRemoteN8n(options: {
	url: string;
	apiKey?: string;
	credentials: CredentialDefinition[];
	stateFile: string;
	importDir: string;
	progress(line: string): void;
}): Promise<RemoteResult> {
	const url = options.url.replace(/\/+$/, '');
	await fs.mkdir(options.importDir, { recursive: true, mode: 0o700 });
	const tarball = await packBarnum(options.importDir);
	const packageHint = [
		`install the package in that n8n once (then restart it): Settings → Community Nodes → "${PACKAGE_NAME}",`,
		`  or: cd ~/.n8n/nodes && npm install ${tarball}`,
	];
	if (!options.apiKey) return { workflows: {}, instructions: [...packageHint, ...(await writeImportFiles(options.importDir, options.credentials))] };

	const api = new PublicApi(url, options.apiKey);
	const stored = existsSync(options.stateFile) ? (JSON.parse(readFileSync(options.stateFile, 'utf8')) as RemoteState) : undefined;
	const state: RemoteState = stored?.url === url ? stored : { url, credentials: {}, workflows: {} };
	const save = () => writePrivate(options.stateFile, state);

	for (const credential of options.credentials) {
		const sha = sha256(credential);
		const known = state.credentials[credential.id];
		if (known?.sha === sha && (await api.call('GET', `/credentials/${known.id}`)).status !== 404) continue;
		const body = { name: credential.name, type: credential.type, data: credential.data };
		// Updated in place where n8n allows it, so the workflows keep pointing at it.
		if (known && (await api.call('PATCH', `/credentials/${known.id}`, body)).status < 300) {
			options.progress(`updated the credential "${credential.name}" in ${url}`);
			state.credentials[credential.id] = { id: known.id, sha };
		} else {
			options.progress(`creating the credential "${credential.name}" in ${url}`);
			if (known) await api.call('DELETE', `/credentials/${known.id}`);
			const created = await api.must<{ id: string }>('POST', '/credentials', body);
			state.credentials[credential.id] = { id: created.id, sha };
		}
		await save();
	}

	const workflows: Record<string, string> = {};
	// Bundled workflow id → the id this n8n gave it. A workflow another one calls (Execute
	// Workflow) sorts before its caller, so its id is known by then.
	const remoteIds = new Map<string, string>();
	for (const workflow of bundledWorkflows()) {
		const json = JSON.parse(readFileSync(workflow.file, 'utf8')) as {
			name: string;
			nodes: Array<{ credentials?: Record<string, { id: string; name: string }>; parameters?: { workflowId?: { value?: unknown } } }>;
			connections: unknown;
			settings?: unknown;
		};
		// The bundled files name the template's credential ids; this n8n gave them other ids.
		for (const node of json.nodes) {
			for (const reference of Object.values(node.credentials ?? {})) {
				const remote = state.credentials[reference.id];
				if (remote) reference.id = remote.id;
			}
			const called = node.parameters?.workflowId;
			if (called && typeof called.value === 'string' && remoteIds.has(called.value)) called.value = remoteIds.get(called.value);
		}
		const body = { name: json.name, nodes: json.nodes, connections: json.connections, settings: json.settings ?? {} };
		const sha = sha256(body);
		const known = state.workflows[workflow.name];
		let id = known?.id;
		if (!known || (await api.call('GET', `/workflows/${known.id}`)).status === 404) {
			options.progress(`creating the workflow "${json.name}" in ${url}`);
			id = (await api.must<{ id: string }>('POST', '/workflows', body)).id;
		} else if (known.sha !== sha) {
			options.progress(`updating the workflow "${json.name}" in ${url}`);
			await api.must('PUT', `/workflows/${known.id}`, body);
		}
		state.workflows[workflow.name] = { id: id!, sha };
		await save();
		const published = await api.call<{ message?: string }>('POST', `/workflows/${id}/publish`);
		const activated = published.status === 404 ? await api.call<{ message?: string }>('POST', `/workflows/${id}/activate`) : published;
		if (activated.status >= 300) {
			throw new StackError(
				`n8n at ${url} would not activate "${json.name}": ${activated.body?.message ?? activated.status}. ` +
					`Is ${PACKAGE_NAME} installed there? ${packageHint.join(' ')}`,
			);
		}
		workflows[workflow.name] = id!;
		remoteIds.set(workflow.id, id!);
	}
	return { workflows, instructions: [] };
}

/** Without an API key: the files to import with n8n's CLI where that n8n runs, and how. */
async function writeImportFiles(dir: string, credentials: CredentialDefinition[]): Promise<string[]> {
	const credentialsFile = path.join(dir, 'credentials.json');
	await writePrivate(credentialsFile, credentials);
	const workflowsDir = path.join(dir, 'workflows');
	await fs.rm(workflowsDir, { recursive: true, force: true });
	await fs.mkdir(workflowsDir, { recursive: true });
	for (const workflow of bundledWorkflows()) await fs.copyFile(workflow.file, path.join(workflowsDir, `${workflow.name}.json`));
	return [
		'import the credentials (they hold this stack\'s secrets: keep the file private) and the workflows:',
		`  n8n import:credentials --input=${credentialsFile}`,
		`  n8n import:workflow --separate --input=${workflowsDir}`,
		'then publish each "Barnum ·" workflow in the editor — or set N8N_API_KEY and the stack does all of this itself',
	];
}
