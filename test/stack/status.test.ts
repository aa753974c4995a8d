/**
 * `npm run status` is read by a person: one line a part, in words, never raw JSON (`--json` is
 * the machines' form, which .ci/run reads).
 */
import type { StackState } from '../../stack/state';
import { describeStatus } from '../../stack/status';

const state: StackState = {
	pid: 4242,
	readyAt: '2026-01-01T10:00:00.000Z',
	urls: { server: 'http://127.0.0.1:3979', sandbox: 'http://127.0.0.1:3980', n8n: 'http://127.0.0.1:5678', n8nIsOurs: true },
	database: { kind: 'embedded', port: 5433, pid: 4243 },
	workflows: {},
};

test('a healthy stack: each part in words, the workflows counted, and the verdict', () => {
	const text = describeStatus(state, { server: 200, sandbox: 200, n8n: 200, workflows: { active: 10, total: 10, inactive: [] } }, '/srv/barnum/.barnum', true);
	expect(text).toBe(
		[
			'Barnum is running (process 4242, data in /srv/barnum/.barnum)',
			'  companion server  http://127.0.0.1:3979  ready (database migrated)',
			'  WhatsApp sandbox  http://127.0.0.1:3980/_sandbox/  answers',
			'  n8n               http://127.0.0.1:5678  answers',
			'  workflows         10 of 10 bundled workflows active',
			'Everything answers.',
			'',
		].join('\n'),
	);
});

test('a part down and workflows inactive are said plainly', () => {
	const text = describeStatus(
		state,
		{ server: 503, sandbox: 200, n8n: 0, workflows: { active: 8, total: 10, inactive: ['Barnum · Clinic · Review request', 'Barnum · Operations · Dead-letter alert'] } },
		'.barnum',
		false,
	);
	expect(text).toContain('  companion server  http://127.0.0.1:3979  answers 503: not ready\n');
	expect(text).toContain('  n8n               http://127.0.0.1:5678  does not answer\n');
	expect(text).toContain('  workflows         8 of 10 bundled workflows active; inactive: Barnum · Clinic · Review request, Barnum · Operations · Dead-letter alert\n');
	expect(text).toMatch(/Something is not right/);
	expect(text).not.toMatch(/[{}]/);
});
