import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type { SandboxContext } from './context';
import { expiredToken, invalidParameter, invalidToken, unknownObject, unknownPath } from './errors';
import { GRAPH_VERSION } from './options';
import { handleSend, type GraphAnswer } from './send';
import { TEMPLATES, variablesIn, resolveUrlBase } from './templates';

/**
 * The part of the Graph API Barnum uses, under any `/vN.M/`: send messages, read the phone
 * number (a credential test), list the approved templates. Everything else is answered as Graph
 * answers an unknown path.
 */

function answer(res: Response, result: GraphAnswer): void {
	if (result.httpStatus === 401) {
		res.set('www-authenticate', 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"');
	}
	res.status(result.httpStatus).set(result.headers ?? {}).json(result.body);
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The bearer token (or `access_token` query parameter) must be the configured one. */
function authorized(ctx: SandboxContext, req: Request): boolean {
	const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
	const token = bearer ?? (typeof req.query.access_token === 'string' ? req.query.access_token : undefined);
	return token !== undefined && timingSafeEqual(digest(token), digest(ctx.identity.accessToken));
}

/** The version and authentication checks every Graph route starts with; false when answered. */
function admitted(ctx: SandboxContext, req: Request, res: Response): boolean {
	if (!GRAPH_VERSION.test(String(req.params.version))) {
		answer(res, unknownPath(req.path));
		return false;
	}
	if (!authorized(ctx, req)) {
		answer(res, invalidToken());
		return false;
	}
	return true;
}

function parseJson(raw: unknown): { ok: true; value: unknown } | { ok: false } {
	const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : '';
	if (text.trim() === '') return { ok: true, value: {} };
	try {
		return { ok: true, value: JSON.parse(text) as unknown };
	} catch {
		return { ok: false };
	}
}

/** A template as Graph's `message_templates` edge lists it. */
function listedTemplates(ctx: SandboxContext, name: string | undefined) {
	return TEMPLATES.flatMap((template, t) =>
		template.translations.map((translation, l) => ({
			name: template.name,
			language: translation.language,
			status: 'APPROVED',
			category: template.category,
			id: String(900000000000000 + t * 100 + l),
			components: [
				...(translation.header ? [{ type: 'HEADER', format: 'TEXT', text: translation.header }] : []),
				{
					type: 'BODY',
					text: translation.body,
					...(variablesIn(translation.body).length ? { example: { body_text: [translation.samples] } } : {}),
				},
				...(translation.footer ? [{ type: 'FOOTER', text: translation.footer }] : []),
				...(translation.buttons.length
					? [
							{
								type: 'BUTTONS',
								buttons: translation.buttons.map((button) =>
									button.type === 'URL'
										? {
												type: 'URL',
												text: button.text,
												url: resolveUrlBase(button.url, ctx.settings.urlBases),
												example: [resolveUrlBase(button.url, ctx.settings.urlBases).replace('{{1}}', button.sample)],
											}
										: { type: 'QUICK_REPLY', text: button.text },
								),
							},
						]
					: []),
			],
		})),
	).filter((listed) => name === undefined || listed.name === name);
}

export function graphRoutes(ctx: SandboxContext): Router {
	const router = Router();
	// Raw bytes: a body that is not JSON gets Graph's answer rather than Express's error page.
	router.use(express.raw({ type: () => true, limit: '1mb' }));

	router.post('/:version/:phoneNumberId/messages', (req, res) => {
		if (!admitted(ctx, req, res)) return;
		if (req.params.phoneNumberId !== ctx.identity.phoneNumberId) return answer(res, unknownObject(req.params.phoneNumberId, 'post'));
		// An injected 190 stands for a token that expired: it applies to every recipient.
		if (ctx.state.takeFault(undefined, (f) => f.code === 190)) return answer(res, expiredToken());
		const body = parseJson(req.body);
		if (!body.ok) return answer(res, invalidParameter('Invalid parameter', 'The request body is not valid JSON.'));
		answer(res, handleSend(ctx, body.value));
	});

	router.get('/:version/:id/message_templates', (req, res) => {
		if (!admitted(ctx, req, res)) return;
		if (req.params.id !== ctx.identity.businessAccountId) return answer(res, unknownObject(req.params.id, 'get'));
		const name = typeof req.query.name === 'string' ? req.query.name : undefined;
		answer(res, { httpStatus: 200, body: { data: listedTemplates(ctx, name), paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } } } });
	});

	router.get('/:version/:id', (req, res) => {
		if (!admitted(ctx, req, res)) return;
		if (req.params.id !== ctx.identity.phoneNumberId) return answer(res, unknownObject(req.params.id, 'get'));
		answer(res, {
			httpStatus: 200,
			body: {
				verified_name: ctx.identity.verifiedName,
				code_verification_status: 'VERIFIED',
				display_phone_number: `+${ctx.number.displayPhoneNumber}`,
				quality_rating: 'GREEN',
				platform_type: 'CLOUD_API',
				throughput: { level: 'STANDARD' },
				id: ctx.identity.phoneNumberId,
			},
		});
	});

	router.use((req, res) => answer(res, unknownPath(req.path)));
	return router;
}
