/** Inline SVG icons (decorative: the heading says the same in words). */
const svg = (body: string) =>
	`<svg class="icon" viewBox="0 0 64 64" aria-hidden="true" focusable="false">${body}</svg>`;

export const ICONS = {
	check: svg('<circle cx="32" cy="32" r="30" fill="#0b6e4f"/><path d="M18 33l9 9 19-20" fill="none" stroke="#fff" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/>'),
	cross: svg('<circle cx="32" cy="32" r="30" fill="#b3261e"/><path d="M22 22l20 20M42 22L22 42" stroke="#fff" stroke-width="6" stroke-linecap="round"/>'),
	calendar: svg('<rect x="6" y="10" width="52" height="48" rx="8" fill="#1d4ed8"/><rect x="6" y="10" width="52" height="14" rx="8" fill="#1e3a8a"/><path d="M18 4v12M46 4v12" stroke="#1e3a8a" stroke-width="6" stroke-linecap="round"/><path d="M18 36h8M30 36h8M42 36h6M18 46h8M30 46h8" stroke="#fff" stroke-width="5" stroke-linecap="round"/>'),
	question: svg('<circle cx="32" cy="32" r="30" fill="#4b5563"/><path d="M24 24a8 8 0 1 1 11 7c-2 1-3 2-3 5v2" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round"/><circle cx="32" cy="47" r="3.5" fill="#fff"/>'),
	appointment: svg('<rect x="6" y="10" width="52" height="48" rx="8" fill="#0b6e4f"/><rect x="6" y="10" width="52" height="14" rx="8" fill="#064e3b"/><path d="M18 4v12M46 4v12" stroke="#064e3b" stroke-width="6" stroke-linecap="round"/><path d="M22 41l7 7 14-15" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/>'),
};
