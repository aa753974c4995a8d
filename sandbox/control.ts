import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod/v4';
import type { SandboxContext } from './context';
import { META_ERRORS } from './errors';
import type { PhoneInput } from './inbound';
import { phonePath, renderPhone, renderPhoneList } from './page';
import type { InboundMessage, OutboundMessage } from './state';

/**
 * The sandbox's own API under `/_sandbox/` (not Meta's): the phone pages, the customer's side of
 * the conversation, fault injection, inspection for tests, reset and live configuration.
 */

export interface ControlHooks {
	reset(): void;
	graphUrl(): string;
}

/** A phone number in a path or form: formatting is dropped, what is left must be E.164 digits. */
export function phoneDigits(raw: string): string | undefined {
	const digits = raw.replace(/[\s().-]/g, '').replace(/^\+/, '');
	return /^[1-9]\d{6,14}$/.test(digits) ? digits : undefined;
}

const PAGE_HEADERS = {
	'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
	'cache-control': 'no-store',
	'referrer-policy': 'no-referrer',
	'x-content-type-options': 'nosniff',
};

/** How long the demo button waits for its message before showing the phone anyway. */
const DEMO_WAIT_MS = 20_000;

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const faultInput = z
	.strictObject({
		to: z.string().optional(),
		code: z.number().int().positive(),
		times: z.number().int().min(1).max(10_000).default(1),
		async: z.boolean().optional(),
		httpStatus: z.number().int().min(400).max(599).optional(),
		retryAfter: z.number().int().min(0).max(86_400).optional(),
		title: z.string().min(1).max(500).optional(),
		details: z.string().min(1).max(2000).optional(),
	})
	.refine((f) => !(f.code === 190 && (f.to !== undefined || f.async)), 'code 190 (expired token) applies to every send: give neither to nor async');

const configInput = z.strictObject({
	webhookUrl: url.nullable().optional(),
	publicBaseUrl: url.optional(),
	reviewUrl: url.optional(),
	bookingUrl: url.optional(),
	statusDelaysMs: z.array(z.number().int().min(0).max(60_000)).min(1).max(3).optional(),
	statusOrder: z.enum(['in-order', 'reversed']).optional(),
	autoRead: z.boolean().optional(),
	reengagement: z.enum(['async', 'sync']).optional(),
	webhookRetryDelaysMs: z.array(z.number().int().min(0).max(600_000)).max(10).optional(),
});

const name = z.string().trim().min(1).max(100).optional();
const phoneInput = z.union([
	z.strictObject({ text: z.string().min(1).max(4096), name }),
	z.strictObject({
		button: z.strictObject({ payload: z.string().min(1).max(1000).optional(), text: z.string().min(1).max(100).optional() }),
		context: z.string().min(1).optional(),
		name,
	}),
]);

/** The form fields of the phone page, as the JSON the API takes. */
function fromForm(fields: Record<string, unknown>): unknown {
	const field = (key: string) => (typeof fields[key] === 'string' && fields[key] !== '' ? (fields[key] as string) : undefined);
	if (field('button_payload') || field('button_text')) {
		return { button: { payload: field('button_payload'), text: field('button_text') }, context: field('context_id'), name: field('name') };
	}
	return { text: field('text') ?? '', name: field('name') };
}

function outboundJson(message: OutboundMessage) {
	return {
		wamid: message.wamid,
		to: message.to,
		waId: message.waId,
		type: message.kind,
		template: message.template,
		payload: message.request,
		rendered: message.rendered,
		status: message.status,
		statuses: message.statuses,
		acceptedAt: new Date(message.acceptedAt).toISOString(),
	};
}

function inboundJson(message: InboundMessage) {
	return { ...message, receivedAt: new Date(message.receivedAt).toISOString() };
}

const isForm = (req: Request) => Boolean(req.is('application/x-www-form-urlencoded'));

function badRequest(res: Response, error: string, issues?: unknown): void {
	res.status(400).json({ error, ...(issues ? { issues } : {}) });
}

export function controlRoutes(ctx: SandboxContext, hooks: ControlHooks): Router {
	const router = Router();
	router.use(express.json({ limit: '100kb' }), express.urlencoded({ extended: false, limit: '100kb' }));

	const html = (res: Response, body: string) => res.status(200).set(PAGE_HEADERS).type('html').send(body);
	const hasUnread = (waId: string) =>
		[...ctx.state.outbound.values()].some((m) => m.waId === waId && m.status === 'delivered');

	// An address book that fails (its database is down) costs the pages their names, nothing more.
	const namesOf = async (waIds: string[]): Promise<Record<string, string>> => {
		if (!ctx.contactNames || waIds.length === 0) return {};
		try {
			return await ctx.contactNames(waIds);
		} catch (error) {
			ctx.logger.warn({ err: (error as Error).message }, 'could not look up the contacts\' names');
			return {};
		}
	};

	router.get('/', async (_req, res) => {
		const phones = [...ctx.state.phones.values()].reverse();
		const names = await namesOf(phones.filter((p) => !p.profileName).map((p) => p.waId));
		html(res, renderPhoneList(phones, { graphUrl: hooks.graphUrl(), settings: ctx.settings, demo: ctx.demo, names }));
	});

	router.get('/phones', (req, res) => {
		if (typeof req.query.phone === 'string') {
			const waId = phoneDigits(req.query.phone);
			if (!waId) return badRequest(res, 'phone must be a number in E.164 form, such as +351912345678');
			return res.redirect(303, phonePath(waId));
		}
		res.json({
			phones: [...ctx.state.phones.values()].map((p) => ({
				waId: p.waId,
				profileName: p.profileName,
				lastInboundAt: p.lastInboundAt === undefined ? undefined : new Date(p.lastInboundAt).toISOString(),
				messages: p.conversation.length,
			})),
		});
	});

	router.get('/phones/:phone', async (req, res) => {
		const waId = phoneDigits(req.params.phone);
		if (!waId) {
			res.status(404).set(PAGE_HEADERS).type('text').send('Not a phone number in E.164 form.');
			return;
		}
		const phone = ctx.state.phones.get(waId) ?? { waId, conversation: [] };
		const notice = typeof req.query.error === 'string' ? req.query.error : undefined;
		const info = typeof req.query.info === 'string' ? req.query.info : undefined;
		const demo = ctx.demo?.waId === waId ? ctx.demo : undefined;
		const contactName = phone.profileName ? undefined : (await namesOf([waId]))[waId];
		html(res, renderPhone(phone, { notice, info, hasUnread: hasUnread(waId), demo, contactName }));
	});

	// The "try it" button: the demo books something that makes the business write to the demo
	// phone; the answer waits (a little) for that message, so the page it lands on shows it.
	router.post('/demo', async (req, res) => {
		const demo = ctx.demo;
		if (!demo) return res.status(404).json({ error: 'no demo is configured for this sandbox' });
		const form = isForm(req);
		const received = () => [...ctx.state.outbound.values()].filter((m) => m.waId === demo.waId).length;
		const before = received();
		let info: string;
		try {
			info = await demo.run();
		} catch (error) {
			ctx.logger.warn({ err: (error as Error).message }, 'the demo failed');
			const message = `The demo did not run: ${(error as Error).message}`;
			return form ? res.redirect(303, `${phonePath(demo.waId)}?error=${encodeURIComponent(message)}`) : res.status(500).json({ error: message });
		}
		// Real time, not ctx.now: tests may freeze the sandbox clock.
		const deadline = Date.now() + DEMO_WAIT_MS;
		while (received() === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
		const arrived = received() > before;
		if (!arrived) info += ' The message has not arrived yet: refresh in a moment.';
		if (form) return res.redirect(303, `${phonePath(demo.waId)}?info=${encodeURIComponent(info)}${arrived ? '#latest' : ''}`);
		res.status(201).json({ info, waId: demo.waId, arrived, phone: phonePath(demo.waId) });
	});

	router.post('/phones/:phone/messages', (req, res) => {
		const waId = phoneDigits(req.params.phone);
		const form = isForm(req);
		const fail = (error: string, issues?: unknown) =>
			form && waId ? res.redirect(303, `${phonePath(waId)}?error=${encodeURIComponent(error)}`) : badRequest(res, error, issues);
		if (!waId) return fail('the phone must be a number in E.164 form, such as +351912345678');
		const input = phoneInput.safeParse(form ? fromForm(req.body as Record<string, unknown>) : req.body);
		if (!input.success) return fail('give { text } or { button: { payload?, text? }, context? }', input.error.issues);
		const result = ctx.phones.write(waId, input.data as PhoneInput);
		if (!result.ok) return fail(result.error);
		if (form) return res.redirect(303, phonePath(waId));
		res.status(201).json({ message: inboundJson(result.message), webhook: ctx.settings.webhookUrl ? 'queued' : 'no webhook URL set' });
	});

	router.post('/phones/:phone/read', (req, res) => {
		const waId = phoneDigits(req.params.phone);
		if (!waId) return badRequest(res, 'the phone must be a number in E.164 form');
		const marked = ctx.pipeline.markRead(waId);
		if (isForm(req)) return res.redirect(303, phonePath(waId));
		res.json({ marked });
	});

	router.get('/messages', (req, res) => {
		const to = typeof req.query.to === 'string' ? phoneDigits(req.query.to) : undefined;
		const messages = [...ctx.state.outbound.values()].filter((m) => to === undefined || m.waId === to);
		res.json({ messages: messages.map(outboundJson) });
	});

	router.get('/inbound', (_req, res) => {
		res.json({ messages: [...ctx.state.inbound.values()].map(inboundJson) });
	});

	router.get('/webhooks', (_req, res) => {
		res.json({ deliveries: ctx.state.webhooks });
	});

	router.get('/faults', (_req, res) => {
		res.json({ faults: ctx.state.faults });
	});

	router.post('/faults', (req, res) => {
		const input = faultInput.safeParse(req.body);
		if (!input.success) return badRequest(res, 'invalid fault', input.error.issues);
		const { to, code, times, retryAfter, ...rest } = input.data;
		const waId = to === undefined ? undefined : phoneDigits(to);
		if (to !== undefined && !waId) return badRequest(res, 'to must be a number in E.164 form');
		const fault = ctx.state.addFault({
			...rest,
			code,
			remaining: times,
			// Unless told, report the error the way Meta reports that code.
			async: input.data.async ?? META_ERRORS[code]?.delivery === 'async',
			...(waId ? { waId } : {}),
			...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
		});
		res.status(201).json({ fault });
	});

	router.delete('/faults', (_req, res) => {
		ctx.state.faults = [];
		res.status(204).end();
	});

	router.post('/reset', (_req, res) => {
		hooks.reset();
		res.status(204).end();
	});

	router.get('/config', (_req, res) => {
		res.json({ graphUrl: hooks.graphUrl(), phoneNumberId: ctx.identity.phoneNumberId, businessAccountId: ctx.identity.businessAccountId, ...ctx.settings });
	});

	router.put('/config', (req, res) => {
		const input = configInput.safeParse(req.body);
		if (!input.success) return badRequest(res, 'invalid configuration', input.error.issues);
		const { webhookUrl, publicBaseUrl, reviewUrl, bookingUrl, ...rest } = input.data;
		if (webhookUrl !== undefined) ctx.settings.webhookUrl = webhookUrl ?? undefined;
		if (publicBaseUrl) ctx.settings.urlBases.PUBLIC_BASE_URL = publicBaseUrl.replace(/\/+$/, '');
		if (reviewUrl) ctx.settings.urlBases.REVIEW_URL = reviewUrl;
		if (bookingUrl) ctx.settings.urlBases.BOOKING_URL = bookingUrl;
		Object.assign(ctx.settings, Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)));
		res.json({ graphUrl: hooks.graphUrl(), ...ctx.settings });
	});

	/** Waits until every pending status and webhook has gone out: for harnesses in other processes. */
	router.post('/settle', async (_req, res) => {
		await ctx.lifecycle.idle();
		res.status(204).end();
	});

	return router;
}
