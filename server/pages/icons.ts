/** Inline SVG icons (decorative: the heading says the same in words). */
const svg = (body: string) =>
	`<svg class="icon" viewBox="0 0 64 64" aria-hidden="true" focusable="false">${body}</svg>`;

/** A wall calendar in `body`/`band` colours: rings, a header band and the card; `marks` go on the card. */
const calendar = (body: string, band: string, marks: string) =>
	`<rect x="6" y="10" width="52" height="48" rx="8" fill="${body}"/><rect x="6" y="10" width="52" height="14" rx="8" fill="${band}"/><rect x="6" y="18" width="52" height="6" fill="${band}"/><path d="M18 4v12M46 4v12" stroke="${band}" stroke-width="6" stroke-linecap="round"/>${marks}`;

/** Day marks: three rows of four days. */
const DAYS = [30, 39, 48]
	.flatMap((y) => [13, 24, 35, 46].map((x) => `<rect x="${x}" y="${y}" width="6" height="6" rx="1.5"/>`))
	.join('');

export const ICONS = {
	/** Confirmed: a green check. */
	check: svg('<circle cx="32" cy="32" r="30" fill="#0b6e4f"/><path d="M18 33l9 9 19-20" fill="none" stroke="#fff" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/>'),
	/** Cancelled: a red X in the cancel button's red, drawn like the check so the two outcomes read as a pair. */
	cross: svg('<circle cx="32" cy="32" r="30" fill="#b3261e"/><path d="M21 21l22 22M43 21L21 43" fill="none" stroke="#fff" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/>'),
	/** Cancel, before the press: in slate, so the question stays calm; the red is kept for what was done. */
	cancelCalendar: svg(calendar('#64748b', '#475569', '<path d="M23 33l18 18M41 33L23 51" stroke="#fff" stroke-width="5" stroke-linecap="round"/>')),
	/** Reschedule: a calendar with its days. */
	calendar: svg(calendar('#1d4ed8', '#1e3a8a', `<g fill="#fff">${DAYS}</g>`)),
	question: svg('<circle cx="32" cy="32" r="30" fill="#4b5563"/><path d="M24 24a8 8 0 1 1 11 7c-2 1-3 2-3 5v2" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round"/><circle cx="32" cy="47" r="3.5" fill="#fff"/>'),
	/** Confirm: the appointment, with a check. */
	appointment: svg(calendar('#0b6e4f', '#064e3b', '<path d="M22 41l7 7 14-15" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/>')),
};

/**
 * The tab icon, inline: with a data: URI (allowed by the pages' CSP as an image) browsers do not
 * ask the server for /favicon.ico, which would be one more request per visit. A plain calendar,
 * kept to a few hundred bytes since every page carries it.
 */
export const FAVICON = `data:image/svg+xml,${`<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'><rect x='6' y='10' width='52' height='48' rx='8' fill='#064e3b'/><path d='M6 24h52v26a8 8 0 0 1-8 8H14a8 8 0 0 1-8-8z' fill='#0b6e4f'/><path d='M18 4v12M46 4v12' stroke='#064e3b' stroke-width='6' stroke-linecap='round'/></svg>`.replace(/[<># ]/g, encodeURIComponent)}`;
