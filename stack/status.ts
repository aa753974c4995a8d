import type { StackState } from './state';

/** What `status` found: each part's HTTP status (0: no answer) and n8n's workflows. */
export interface StatusChecks {
	server: number;
	sandbox?: number;
	n8n?: number;
	workflows?: { active: number; total: number; inactive: string[] } | { error: string };
}

/** `npm run status` for a person: one line a part, in words, then the verdict. */
export function describeStatus(state: StackState, checks: StatusChecks, dataDir: string, ok: boolean): string {
	const answer = (status: number | undefined, good: string) =>
		status === 200 ? good : status ? `answers ${status}: not ready` : 'does not answer';
	const lines = [
		`Barnum is ${state.readyAt ? 'running' : 'still starting'} (process ${state.pid}, data in ${dataDir})`,
		`  companion server  ${state.urls.server}  ${answer(checks.server, 'ready (database migrated)')}`,
	];
	if (state.urls.sandbox) lines.push(`  WhatsApp sandbox  ${state.urls.sandbox}/_sandbox/  ${answer(checks.sandbox, 'answers')}`);
	if (state.urls.n8n) lines.push(`  n8n               ${state.urls.n8n}  ${answer(checks.n8n, 'answers')}`);
	const workflows = checks.workflows;
	if (workflows && 'error' in workflows) lines.push(`  workflows         could not ask n8n: ${workflows.error}`);
	else if (workflows) {
		lines.push(
			`  workflows         ${workflows.active} of ${workflows.total} bundled workflows active` +
				(workflows.inactive.length ? `; inactive: ${workflows.inactive.join(', ')}` : ''),
		);
	}
	lines.push(ok ? 'Everything answers.' : 'Something is not right: see the lines above (and n8n\'s log in the data folder).');
	return `${lines.join('\n')}\n`;
}
