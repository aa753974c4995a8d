import { createActionLink } from '../../core/action-links/create';
import { purgeExpiredTokens } from '../../core/action-links/purge';
import { redeemLink } from '../../core/action-links/redeem';
import { recordNoShowRescheduleAttempt } from '../../core/appointments/records';
import { recordAttention } from '../../core/attention/record';
import { claimTeamNotices, inspectHandleLink, listOpenItems, markHandled, markNotified, redeemHandleLink, type TeamNotice } from '../../core/attention/notices';
import { sql } from '../../core/db/sql';
import { processInboundWebhook } from '../../core/whatsapp/inbound';
import { recordDeliveryStatus } from '../../core/whatsapp/statuses';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { freshDatabase, type TestDatabase } from '../helpers/database';

/**
 * What needs a person is recorded once, where it happens, and reaches the team as notices with a
 * one-press "handled" link: at once, or in a daily digest.
 */

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;
const PHONE = '+351912345678';

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query(
		"UPDATE barnum_settings SET business_name = 'Clínica Sorriso', public_base_url = 'https://book.example', default_locale = 'en', quiet_hours_start = NULL, quiet_hours_end = NULL, reminder_offsets = '{}'",
	);
	clinic = await seedClinic(db.app, { phone: PHONE });
});
afterAll(() => db.drop());

beforeEach(async () => {
	await db.admin.query('DELETE FROM attention_items');
	await db.admin.query('DELETE FROM attention_digests');
	await db.admin.query("UPDATE barnum_settings SET team_notice_mode = 'immediate'");
});

const items = async () =>
	(await db.admin.query('SELECT kind, channel, appointment_id, patient_id, phone, detail FROM attention_items ORDER BY created_at')).rows;

let wamids = 0;
function inbound(from: string, message: Record<string, unknown>, wamid = `wamid.T${++wamids}`) {
	const value = { messages: [{ from: from.replace(/^\+/, ''), id: wamid, ...message }] };
	return { object: 'whatsapp_business_account', entry: [{ changes: [{ value }] }] };
}

describe('recorded once, where it happens', () => {
	test('a reschedule asked for by link: one item with the preferred time; the used link records nothing more', async () => {
		const appointmentId = await insertAppointment(db.app, clinic, { daysAhead: 4 });
		const { token } = await createActionLink(db.app, { appointmentId, action: 'reschedule' });
		expect((await redeemLink(db.app, token, 'reschedule', { preferredTime: 'Tuesday morning' })).state).toBe('done');
		expect((await redeemLink(db.app, token, 'reschedule', { preferredTime: 'Tuesday morning' })).state).toBe('already');
		expect(await items()).toEqual([
			{ kind: 'reschedule_request', channel: 'link', appointment_id: appointmentId, patient_id: clinic.patientId, phone: null, detail: 'Tuesday morning' },
		]);
	});

	test('a cancellation by link is recorded with the change (the slot is free)', async () => {
		const appointmentId = await insertAppointment(db.app, clinic, { daysAhead: 5 });
		const { token } = await createActionLink(db.app, { appointmentId, action: 'cancel' });
		await redeemLink(db.app, token, 'cancel');
		expect(await items()).toEqual([expect.objectContaining({ kind: 'cancellation', channel: 'link', appointment_id: appointmentId })]);
	});

	test('a Cancel button on WhatsApp, delivered twice by Meta, is one item', async () => {
		const appointmentId = await insertAppointment(db.app, clinic, { daysAhead: 6 });
		const body = inbound(PHONE, { type: 'button', button: { payload: `CANCEL:${appointmentId}`, text: 'Cancelar' } });
		await processInboundWebhook(db.app, body);
		await processInboundWebhook(db.app, body);
		expect(await items()).toEqual([expect.objectContaining({ kind: 'cancellation', channel: 'whatsapp', appointment_id: appointmentId })]);
	});

	test("free text is recorded with the sender's patient and their next appointment; a stranger's with the number", async () => {
		const later = await insertAppointment(db.app, clinic, { daysAhead: 9 });
		const next = await insertAppointment(db.app, clinic, { daysAhead: 2 });
		await processInboundWebhook(db.app, inbound(PHONE, { type: 'text', text: { body: 'Posso levar o meu filho?' } }));
		await processInboundWebhook(db.app, inbound('+351910000999', { type: 'text', text: { body: 'Quem fala?' } }));
		expect(await items()).toEqual([
			{ kind: 'reply', channel: 'whatsapp', appointment_id: next, patient_id: clinic.patientId, phone: null, detail: 'Posso levar o meu filho?' },
			{ kind: 'reply', channel: 'whatsapp', appointment_id: null, patient_id: null, phone: '+351910000999', detail: 'Quem fala?' },
		]);
		expect(later).not.toBe(next);
	});

	test('"sim" to a no-show prompt is the seed\'s "admin team notified"; "não" needs nobody; STOP is recorded', async () => {
		const other = await seedClinic(db.app, { name: 'Rita Lopes', phone: '+351914444444' });
		const missed = await insertAppointment(db.app, other, { daysAhead: 1 });
		await db.app.query("UPDATE appointments SET status = 'no_show' WHERE id = $1", [missed]);
		await processInboundWebhook(db.app, inbound('+351914444444', { type: 'text', text: { body: 'não' } }));
		expect(await items()).toEqual([]);
		await db.admin.query("UPDATE whatsapp_workflows SET status = 'sent' WHERE appointment_id = $1", [missed]);
		await processInboundWebhook(db.app, inbound('+351914444444', { type: 'text', text: { body: 'Sim' } }));
		// The same answer through the seed's callback (n8n posting no_show_reschedule) is the same item.
		await recordNoShowRescheduleAttempt(db.app, { appointmentId: missed, attempt: 1, channel: 'callback' });
		await processInboundWebhook(db.app, inbound('+351914444444', { type: 'text', text: { body: 'STOP' } }));
		expect(await items()).toEqual([
			expect.objectContaining({ kind: 'no_show_answer', channel: 'whatsapp', appointment_id: missed, detail: 'yes: Sim' }),
			expect.objectContaining({ kind: 'opt_out', channel: 'whatsapp', patient_id: other.patientId, appointment_id: null }),
		]);
	});

	test('131026 in a delivery status: the patient is unreachable, once per message however often it is reported', async () => {
		const appointmentId = await insertAppointment(db.app, clinic, { daysAhead: 7 });
		const event = (await db.admin.query("SELECT id FROM whatsapp_events WHERE entity_id = $1 AND event_type = 'appointment.pre_confirmed'", [appointmentId])).rows[0];
		await db.app.query(sql('message-sent'), ['wamid.UNREACH1', event.id, 'barnum_appointment_confirmation']);
		const failed = { wamid: 'wamid.UNREACH1', status: 'failed' as const, at: new Date(), errorCode: 131026, errorTitle: 'Message undeliverable' };
		await recordDeliveryStatus(db.app, failed);
		await recordDeliveryStatus(db.app, failed);
		expect(await items()).toEqual([
			expect.objectContaining({ kind: 'unreachable', channel: 'delivery', appointment_id: appointmentId, detail: 'WhatsApp (#131026) Message undeliverable' }),
		]);
	});

	test('bad input names its field and records nothing', async () => {
		await expect(recordAttention(db.app, { kind: 'gossip' as never, channel: 'n8n', sourceKey: 'k' })).rejects.toMatchObject({ details: { field: 'kind' } });
		await expect(recordAttention(db.app, { kind: 'reply', channel: 'n8n', sourceKey: 'k', appointmentId: 'nope' })).rejects.toMatchObject({
			details: { field: 'appointmentId' },
		});
		expect(await items()).toEqual([]);
	});
});

describe('told to the team', () => {
	beforeEach(() => db.admin.query("UPDATE barnum_settings SET team_email = 'desk@clinic.example', team_whatsapp = NULL, team_chat_webhook_url = NULL"));

	test('with nowhere to tell anyone, items wait (they are not marked told); once a channel is set they go', async () => {
		await db.admin.query('UPDATE barnum_settings SET team_email = NULL');
		await recordAttention(db.app, { kind: 'reply', channel: 'n8n', sourceKey: 'nowhere-1', patientId: clinic.patientId, detail: 'Olá' });
		expect(await claimTeamNotices(db.app)).toEqual([]);
		await db.admin.query("UPDATE barnum_settings SET team_notice_mode = 'digest', team_digest_hour = 0");
		expect(await claimTeamNotices(db.app)).toEqual([]);
		await db.admin.query("UPDATE barnum_settings SET team_notice_mode = 'immediate', team_chat_webhook_url = 'https://chat.example/hook', team_chat_format = 'mattermost'");
		const [notice] = await claimTeamNotices(db.app);
		expect((notice.chat as { text: string }).text).toMatch(/^\*\*WhatsApp reply to read — João Silva\*\*\n/);
		await db.admin.query("UPDATE barnum_settings SET team_chat_format = 'slack'");
	});

	test('at once: a notice says what happened, who, which appointment and what next, with a handled link; held until notified', async () => {
		const appointmentId = await insertAppointment(db.app, clinic, { daysAhead: 3 });
		await db.admin.query("UPDATE barnum_settings SET team_email = 'desk@clinic.example', team_whatsapp = '+351930000000', team_chat_webhook_url = 'https://hooks.example/x'");
		const { token } = await createActionLink(db.app, { appointmentId, action: 'reschedule' });
		await redeemLink(db.app, token, 'reschedule', { preferredTime: 'after 17:00' });

		const [notice, ...rest] = await claimTeamNotices(db.app);
		expect(rest).toEqual([]);
		expect(notice).toMatchObject({
			type: 'item',
			locale: 'en',
			team: { email: 'desk@clinic.example', whatsapp: '+351930000000', chatWebhookUrl: 'https://hooks.example/x', chatFormat: 'slack', emailFrom: 'Barnum <barnum@book.example>' },
			subject: '[Clínica Sorriso] Reschedule requested — João Silva',
		});
		expect(notice.text).toContain('João Silva asked for another time with the link in their message. Preferred time: “after 17:00”.');
		expect(notice.text).toMatch(/Appointment: .*10:00 · Dr\. Maria Santos · Medicina Dentária · Clínica Sorriso/);
		expect(notice.text).toContain('Next: Call João Silva on +351912345678 to agree a new time.');
		expect(notice.items[0].handleUrl).toMatch(/^https:\/\/book\.example\/api\/team\/handled\?token=[A-Za-z0-9_-]{32}$/);
		expect(notice.whatsapp.parameters).toHaveLength(4);
		for (const p of notice.whatsapp.parameters) expect(p).not.toMatch(/\n|\s{2}/);
		expect((notice.chat as { text: string }).text).toMatch(/^\*Reschedule requested — João Silva\*\n/);

		expect(await claimTeamNotices(db.app)).toEqual([]);
		// A notifier that died: its hold lapses and the item is told again.
		await db.admin.query("UPDATE attention_items SET notice_lease_until = now() - interval '1 second'");
		const [again] = await claimTeamNotices(db.app);
		expect(again.itemIds).toEqual(notice.itemIds);
		expect(await markNotified(db.app, again.itemIds)).toEqual(again.itemIds);
		await db.admin.query("UPDATE attention_items SET notice_lease_until = now() - interval '1 second'");
		expect(await claimTeamNotices(db.app)).toEqual([]);
	});

	test('in a digest at the hour, in the location\'s timezone: once a day; handled items leave it', async () => {
		const a = await insertAppointment(db.app, clinic, { daysAhead: 3 });
		const b = await insertAppointment(db.app, clinic, { daysAhead: 4 });
		await recordAttention(db.app, { kind: 'reply', channel: 'n8n', sourceKey: 'digest-1', appointmentId: a, detail: 'one' });
		await recordAttention(db.app, { kind: 'reply', channel: 'n8n', sourceKey: 'digest-2', appointmentId: b, detail: 'two' });
		const localHour = Number((await db.admin.query("SELECT extract(hour FROM now() AT TIME ZONE timezone) AS h FROM barnum_settings")).rows[0].h);
		// An hour still to come today: nothing yet.
		if (localHour < 23) {
			await db.admin.query("UPDATE barnum_settings SET team_notice_mode = 'digest', team_digest_hour = $1", [localHour + 1]);
			expect(await claimTeamNotices(db.app)).toEqual([]);
		}
		await db.admin.query("UPDATE barnum_settings SET team_notice_mode = 'digest', team_digest_hour = $1", [localHour]);
		const [digest] = await claimTeamNotices(db.app);
		expect(digest).toMatchObject({ type: 'digest', subject: 'Clínica Sorriso: 2 items need a person' });
		expect(digest.items.map((i) => i.what)).toEqual([expect.stringContaining('“one”'), expect.stringContaining('“two”')]);
		expect(await claimTeamNotices(db.app)).toEqual([]);

		// Staff press the first item's link; the next day's digest has only the other.
		const token = new URL(digest.items[0].handleUrl!).searchParams.get('token')!;
		expect(await redeemHandleLink(db.app, token, 'Ana (front desk)')).toMatchObject({ state: 'done', item: { handledBy: 'Ana (front desk)' } });
		await db.admin.query("UPDATE attention_digests SET local_date = local_date - 1");
		const [tomorrow] = await claimTeamNotices(db.app);
		expect(tomorrow.itemIds).toEqual([digest.itemIds[1]]);
		// Yesterday's link for the other item still works.
		const older = new URL(digest.items[1].handleUrl!).searchParams.get('token')!;
		expect((await inspectHandleLink(db.app, older)).state).toBe('ready');
	});

	test('the handled link: shows, acts once, then says who did; unknown and expired links show nothing', async () => {
		await recordAttention(db.app, { kind: 'opt_out', channel: 'n8n', sourceKey: 'handled-1', patientId: clinic.patientId });
		const [notice] = await claimTeamNotices(db.app);
		const token = new URL(notice.items[0].handleUrl!).searchParams.get('token')!;
		expect(await inspectHandleLink(db.app, token)).toMatchObject({ state: 'ready', item: { title: 'Stopped WhatsApp messages — João Silva' } });
		expect((await redeemHandleLink(db.app, token, null)).state).toBe('done');
		expect(await redeemHandleLink(db.app, token, 'someone else')).toMatchObject({ state: 'already', item: { handledBy: null } });
		expect(await markHandled(db.app, { itemId: notice.itemIds[0], handledBy: 'n8n', via: 'n8n' })).toMatchObject({ state: 'already' });
		expect(await inspectHandleLink(db.app, 'A'.repeat(32))).toEqual({ state: 'invalid' });
		await db.admin.query("UPDATE attention_links SET expires_at = now() - interval '1 second'");
		expect(await inspectHandleLink(db.app, token)).toEqual({ state: 'invalid' });
		expect(await listOpenItems(db.app)).toEqual([]);
		// Only the hash is stored.
		const stored = await db.admin.query('SELECT count(*)::int AS n FROM attention_links WHERE token_hash = sha256(convert_to($1, \'UTF8\'))', [token]);
		expect(stored.rows[0].n).toBe(1);
		// Long expired, it is purged with the patients' tokens; the item keeps who handled it.
		await db.admin.query("UPDATE attention_links SET expires_at = now() - interval '31 days'");
		expect(await purgeExpiredTokens(db.app, 30)).toBeGreaterThanOrEqual(1);
		expect((await db.admin.query('SELECT count(*)::int AS n FROM attention_links')).rows[0].n).toBe(0);
		expect((await db.admin.query('SELECT handled_via FROM attention_items WHERE id = $1', [notice.itemIds[0]])).rows[0].handled_via).toBe('link');
	});

	test('unreachable on WhatsApp: the message goes by email with fresh links when there is an address; otherwise the team is told to call', async () => {
		const withEmail = await seedClinic(db.app, { name: 'Marta Reis', phone: '+351915555555' });
		await db.admin.query("UPDATE patients SET email = 'marta@example.com' WHERE id = $1", [withEmail.patientId]);
		const reachable = await insertAppointment(db.app, withEmail, { daysAhead: 3 });
		const noEmail = await insertAppointment(db.app, clinic, { daysAhead: 3 });
		for (const [n, appointmentId] of [reachable, noEmail].entries()) {
			const event = (await db.admin.query("SELECT id FROM whatsapp_events WHERE entity_id = $1 AND event_type = 'appointment.pre_confirmed'", [appointmentId])).rows[0];
			await db.app.query(sql('message-sent'), [`wamid.FALLBACK${n}`, event.id, 'barnum_appointment_confirmation']);
			await recordDeliveryStatus(db.app, { wamid: `wamid.FALLBACK${n}`, status: 'failed', at: new Date(), errorCode: 131026, errorTitle: 'Message undeliverable' });
		}
		// A clinic told by digest still hears of it at once: the patient's message cannot wait.
		await db.admin.query("UPDATE barnum_settings SET team_notice_mode = 'digest', team_digest_hour = 23");
		await db.admin.query('DELETE FROM attention_digests');
		const notices: TeamNotice[] = (await claimTeamNotices(db.app)).filter((n) => n.type === 'item');
		const [email, call] = notices;
		expect(email.patientEmail).toMatchObject({ to: 'marta@example.com', subject: 'Your appointment at Clínica Sorriso' });
		expect(email.patientEmail!.text).toMatch(/Confirm: https:\/\/book\.example\/api\/action\?type=confirm&token=\S+\nCancel: \S+\nAsk for another time: \S+/);
		expect(email.items[0].what).toContain('The message went to marta@example.com by email instead.');
		expect(call.patientEmail).toBeUndefined();
		expect(call.items[0].next).toBe('Call João Silva on +351912345678: WhatsApp messages do not reach them.');
		// The emailed link works on the patient's page.
		const link = new URL(/Confirm: (\S+)/.exec(email.patientEmail!.text)![1]);
		expect((await redeemLink(db.app, link.searchParams.get('token')!, 'confirm')).state).toBe('done');
	});
});
