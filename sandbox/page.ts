import type { SandboxDemo, SandboxSettings } from './options';
import type { ConversationEntry, InboundMessage, OutboundMessage, Phone } from './state';
import type { RenderedButton } from './validate';

/**
 * The phone pages: each phone's conversation as WhatsApp would show it, for a person trying
 * Barnum by hand. Plain HTML and forms, no script and no external asset: URL buttons are real
 * links (to Barnum's action pages), quick replies are forms that send the tap as the phone.
 * Every value that came from a request is escaped; parameters are the customer's data.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
	return value.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** WhatsApp's *bold* and _italic_, and clickable links, applied to already-escaped text. */
function formatText(text: string): string {
	return escapeHtml(text)
		.replace(/https?:\/\/(?:(?!&quot;|&#39;|&lt;|&gt;)[^\s<])+/g, (url) => `<a href="${url}" rel="noreferrer" target="_blank">${url}</a>`)
		.replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,!?:;])/g, '$1<strong>$2</strong>')
		.replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,!?:;])/g, '$1<em>$2</em>');
}

const STYLES = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#d1d7db;color:#111b21}
.phone{max-width:420px;min-height:100vh;margin:0 auto;background:#efeae2;display:flex;flex-direction:column}
header{background:#008069;color:#fff;padding:12px 16px;display:flex;gap:12px;align-items:center}
header a{color:#fff;text-decoration:none;font-size:20px}
header h1{font-size:17px;margin:0;font-weight:600}
header p{margin:0;font-size:13px;opacity:.85}
.chat{flex:1;padding:12px;display:flex;flex-direction:column;gap:8px}
.bubble{max-width:85%;padding:6px 8px 4px;border-radius:8px;box-shadow:0 1px .5px rgba(11,20,26,.13);white-space:pre-wrap;word-wrap:break-word}
.in{align-self:flex-start;background:#fff;border-top-left-radius:0}
.out{align-self:flex-end;background:#d9fdd3;border-top-right-radius:0}
.bubble .head{font-weight:700;margin-bottom:4px}
.bubble .foot{color:#667781;font-size:13px;margin-top:4px}
.meta{display:block;text-align:right;color:#667781;font-size:11px;margin-top:2px;white-space:nowrap}
.tick{font-size:12px;letter-spacing:-3px;margin-left:4px;color:#667781}
.tick.read{color:#53bdeb}.tick.failed{color:#d92d20;letter-spacing:0}
.tag{font-size:11px;color:#667781;display:block;margin-bottom:2px}
.error{color:#b42318;font-size:13px;margin-top:4px;white-space:normal}
.buttons{align-self:flex-start;max-width:85%;width:85%;display:flex;flex-direction:column;gap:2px;margin-top:-6px}
.buttons form{margin:0}
.buttons a,.buttons button{display:block;width:100%;background:#fff;color:#027eb5;border:0;border-radius:6px;padding:9px;font:inherit;text-align:center;text-decoration:none;cursor:pointer;box-shadow:0 1px .5px rgba(11,20,26,.13)}
.buttons button:hover,.buttons a:hover{background:#f5f6f6}
.buttons button:disabled{color:#8696a0;cursor:not-allowed}
.reply{display:flex;gap:8px;padding:8px;background:#f0f2f5;position:sticky;bottom:0}
.reply input{flex:1;border:0;border-radius:20px;padding:10px 14px;font:inherit}
.reply button,.actions button{border:0;border-radius:20px;background:#008069;color:#fff;padding:0 16px;font:inherit;cursor:pointer}
.actions{display:flex;gap:8px;justify-content:center;padding:4px}
.actions a,.actions button{font-size:13px;padding:6px 12px}
.actions a{color:#008069}
.notice{margin:8px 12px 0;padding:8px;background:#fee4e2;border-radius:6px;font-size:14px}
.info{margin:8px 12px 0;padding:8px;background:#d9fdd3;border-radius:6px;font-size:14px}
.try{padding:12px;background:#fff;border-bottom:1px solid #e9edef;text-align:center}
.try form{margin:0}.try p{margin:6px 0 0;font-size:13px;color:#54656f}
.try button{border:0;border-radius:20px;background:#008069;color:#fff;padding:10px 18px;font:inherit;font-weight:600;cursor:pointer}
.empty{color:#667781;text-align:center;margin-top:40px}
ul.list{list-style:none;margin:0;padding:0;background:#fff}
ul.list li a{display:block;padding:12px 16px;border-bottom:1px solid #e9edef;color:inherit;text-decoration:none}
ul.list small{display:block;color:#667781;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.open{display:flex;gap:8px;padding:12px;background:#fff}
.open input{flex:1;padding:8px;border:1px solid #d1d7db;border-radius:6px;font:inherit}
.open button{border:0;border-radius:6px;background:#008069;color:#fff;padding:0 12px;font:inherit}
dl.config{margin:12px;font-size:13px;color:#54656f}dl.config dt{font-weight:600}dl.config dd{margin:0 0 6px;word-break:break-all}
`;

function page(title: string, body: string): string {
	return (
		'<!doctype html><html lang="en"><head><meta charset="utf-8">' +
		'<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex,nofollow">' +
		`<title>${escapeHtml(title)}</title><style>${STYLES}</style></head><body><div class="phone">${body}</div></body></html>`
	);
}

/** Times as WhatsApp shows them, in UTC so tests and screenshots do not depend on the machine. */
function clock(ms: number): string {
	return new Date(ms).toISOString().slice(11, 16);
}

const TICKS: Record<OutboundMessage['status'], { mark: string; label: string; className: string }> = {
	accepted: { mark: '🕓', label: 'accepted, not sent yet', className: 'tick' },
	sent: { mark: '✓', label: 'sent', className: 'tick' },
	delivered: { mark: '✓✓', label: 'delivered', className: 'tick' },
	read: { mark: '✓✓', label: 'read', className: 'tick read' },
	failed: { mark: '✗', label: 'failed', className: 'tick failed' },
};

function tick(status: OutboundMessage['status']): string {
	const t = TICKS[status];
	return `<span class="${t.className}" role="img" aria-label="${t.label}" title="${t.label}" data-status="${status}">${t.mark}</span>`;
}

export function phonePath(waId: string): string {
	return `/_sandbox/phones/${encodeURIComponent(waId)}`;
}

function buttonHtml(button: RenderedButton, message: OutboundMessage): string {
	// A failed message never reached the phone: its buttons are shown, but cannot be used.
	if (message.status === 'failed') {
		return `<button type="button" disabled data-button-index="${button.index}">${button.type === 'URL' ? '↗' : '↩'} ${escapeHtml(button.text)}</button>`;
	}
	if (button.type === 'URL') {
		return `<a href="${escapeHtml(button.url)}" rel="noreferrer" target="_blank" data-button-index="${button.index}">↗ ${escapeHtml(button.text)}</a>`;
	}
	return (
		`<form method="post" action="${phonePath(message.waId)}/messages">` +
		`<input type="hidden" name="button_payload" value="${escapeHtml(button.payload)}">` +
		`<input type="hidden" name="button_text" value="${escapeHtml(button.text)}">` +
		`<input type="hidden" name="context_id" value="${escapeHtml(message.wamid)}">` +
		`<button type="submit" data-button-index="${button.index}">↩ ${escapeHtml(button.text)}</button></form>`
	);
}

function outboundHtml(message: OutboundMessage): string {
	const { rendered } = message;
	const failure = message.statuses.find((s) => s.status === 'failed')?.errors?.[0];
	const tag = message.template ? `<span class="tag">${escapeHtml(message.template.name)} · ${escapeHtml(message.template.language)}</span>` : '';
	const bubble =
		`<div class="bubble in" data-wamid="${escapeHtml(message.wamid)}">${tag}` +
		(rendered.header ? `<div class="head">${formatText(rendered.header)}</div>` : '') +
		`<div class="body">${formatText(rendered.body)}</div>` +
		(rendered.footer ? `<div class="foot">${escapeHtml(rendered.footer)}</div>` : '') +
		(failure ? `<div class="error">Not delivered: (#${failure.code}) ${escapeHtml(failure.title)}</div>` : '') +
		`<span class="meta">${clock(message.acceptedAt)}${tick(message.status)}</span></div>`;
	const buttons = rendered.buttons.length ? `<div class="buttons">${rendered.buttons.map((b) => buttonHtml(b, message)).join('')}</div>` : '';
	return bubble + buttons;
}

function inboundHtml(message: InboundMessage): string {
	const text = message.type === 'button' ? message.button?.text ?? '' : message.text ?? '';
	const read = message.readByBusiness
		? '<span class="tick read" role="img" aria-label="read by the business" title="read by the business">✓✓</span>'
		: '<span class="tick" role="img" aria-label="delivered to the business" title="delivered to the business">✓✓</span>';
	return (
		`<div class="bubble out" data-wamid="${escapeHtml(message.wamid)}">` +
		(message.type === 'button' ? '<span class="tag">quick reply</span>' : '') +
		`<div class="body">${formatText(text)}</div><span class="meta">${clock(message.receivedAt)}${read}</span></div>`
	);
}

function entryHtml(entry: ConversationEntry): string {
	return entry.direction === 'outbound' ? outboundHtml(entry.message) : inboundHtml(entry.message);
}

/** The "try it" button: a form, so it works without script; the sandbox answers with a redirect. */
function demoHtml(demo: SandboxDemo): string {
	return (
		'<section class="try" aria-label="Try it">' +
		`<form method="post" action="/_sandbox/demo"><button type="submit">${escapeHtml(demo.label)}</button></form>` +
		`<p>${escapeHtml(demo.description)}</p></section>`
	);
}

/** One phone's conversation, with the quick replies and a box to write back. */
export function renderPhone(
	phone: Phone,
	options: { notice?: string; info?: string; hasUnread: boolean; demo?: SandboxDemo; contactName?: string },
): string {
	const name = phone.profileName ?? options.contactName;
	const number = `+${phone.waId}`;
	// #latest marks the newest message, so a redirect (the demo button's) can land on it.
	const chat = phone.conversation.length
		? phone.conversation.map((entry, i) => (i === phone.conversation.length - 1 ? '<span id="latest"></span>' : '') + entryHtml(entry)).join('')
		: '<p class="empty">No messages yet. Send a template to this number.</p>';
	const body =
		`<header><a href="/_sandbox/" aria-label="All phones">←</a><div><h1>${escapeHtml(name ?? number)}</h1>${name ? `<p>${escapeHtml(number)}</p>` : ''}</div></header>` +
		(options.notice ? `<p class="notice" role="alert">${escapeHtml(options.notice)}</p>` : '') +
		(options.info ? `<p class="info" role="status">${escapeHtml(options.info)}</p>` : '') +
		(options.demo ? demoHtml(options.demo) : '') +
		`<main class="chat" aria-label="Conversation">${chat}</main>` +
		'<div class="actions">' +
		`<a href="${phonePath(phone.waId)}">↻ Refresh</a>` +
		(options.hasUnread
			? `<form method="post" action="${phonePath(phone.waId)}/read"><button type="submit">Mark as read</button></form>`
			: '') +
		'</div>' +
		`<form class="reply" method="post" action="${phonePath(phone.waId)}/messages">` +
		'<input name="text" aria-label="Message" placeholder="Message" autocomplete="off" required maxlength="4096">' +
		'<button type="submit">Send</button></form>';
	return page(`${name ?? number} · WhatsApp sandbox`, body);
}

function preview(phone: Phone): string {
	const last = phone.conversation.at(-1);
	if (!last) return 'No messages';
	if (last.direction === 'inbound') return `You: ${last.message.button?.text ?? last.message.text ?? ''}`;
	return last.message.template ? `${last.message.template.name}: ${last.message.rendered.body}` : last.message.rendered.body;
}

/** The list of phones, and where the sandbox sends its webhooks. */
export function renderPhoneList(
	phones: Phone[],
	about: { graphUrl: string; settings: SandboxSettings; demo?: SandboxDemo; names?: Record<string, string> },
): string {
	const entry = (phone: Phone) => {
		const name = phone.profileName ?? about.names?.[phone.waId];
		const number = `+${phone.waId}`;
		return (
			`<li><a href="${phonePath(phone.waId)}"><strong>${escapeHtml(name ?? number)}</strong> ` +
			`${name ? `<span>${escapeHtml(number)}</span>` : ''}<small>${escapeHtml(preview(phone))}</small></a></li>`
		);
	};
	const list = phones.length
		? `<ul class="list">${phones.map(entry).join('')}</ul>`
		: '<p class="empty">No conversations yet.</p>';
	const body =
		'<header><div><h1>WhatsApp Cloud API sandbox</h1><p>Phones that received or sent messages</p></div></header>' +
		(about.demo ? demoHtml(about.demo) : '') +
		'<form class="open" method="get" action="/_sandbox/phones"><input name="phone" aria-label="Phone number" placeholder="+351912345678" required><button type="submit">Open</button></form>' +
		list +
		'<dl class="config">' +
		`<dt>Graph API base URL</dt><dd>${escapeHtml(about.graphUrl)}</dd>` +
		`<dt>Webhooks go to</dt><dd>${escapeHtml(about.settings.webhookUrl ?? 'nowhere (no webhook URL set)')}</dd>` +
		`<dt>Action links point at</dt><dd>${escapeHtml(about.settings.urlBases.PUBLIC_BASE_URL)}</dd>` +
		'<dt>JSON</dt><dd><a href="/_sandbox/messages">messages</a> · <a href="/_sandbox/inbound">inbound</a> · <a href="/_sandbox/webhooks">webhooks</a> · <a href="/_sandbox/faults">faults</a> · <a href="/_sandbox/config">config</a></dd>' +
		'</dl>';
	return page('WhatsApp sandbox', body);
}
