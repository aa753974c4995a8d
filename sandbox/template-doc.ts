import { TEMPLATES, URL_BASE_MEANINGS, urlBaseOf, type TemplateDefinition, type TemplateTranslation, type UrlBase } from './templates';

/**
 * docs/whatsapp-templates.md, generated from the registry the sandbox enforces
 * (`node build/sandbox/cli.js docs > docs/whatsapp-templates.md`); a test fails when the two differ.
 */

const LANGUAGE_NAMES: Record<string, string> = {
	pt_PT: 'Portuguese (Portugal) — `pt_PT`',
	en: 'English — `en`',
	pt_BR: 'Portuguese (Brazil) — `pt_BR`',
	es: 'Spanish — `es`',
};

const INTRO = `# WhatsApp message templates

<!-- Generated from sandbox/templates.ts by \`node build/sandbox/cli.js docs\`. Edit the registry, not this file. -->

WhatsApp lets a business start a conversation only with a **message template** that Meta has
approved. These are the templates Barnum's bundled workflows send. Submit each one, in every
language your customers use, in WhatsApp Manager (*Account tools → Message templates → Create
template*) or through the Business Management API, before you switch the workflows on.

- **Names are the contract.** The workflows send these exact names; keep them.
- **Language codes are Meta's**: \`pt_PT\`, \`en\`, \`pt_BR\`, \`es\` (a patient's locale \`pt-PT\` is
  \`pt_PT\` here, \`pt-BR\` is \`pt_BR\`). A template is approved per language: sending a language you did
  not submit fails with error 132001.
- **Texts.** Submit them as written, or adapt the wording to your business; keep the number and
  order of the variables and of the buttons, because the workflows fill them by position
  (variables \`{{1}}\`, \`{{2}}\` …; buttons by index, starting at 0).
- **Samples.** Meta requires a sample value for every variable and for every URL-button variable;
  use the ones given.
- **URL buttons.** Meta fixes a button's URL at approval, except one variable at its very end.
  Replace the marker at the start of each URL with your own address when you submit:
${(Object.keys(URL_BASE_MEANINGS) as UrlBase[]).map((base) => `  - \`{${base}}\`: ${URL_BASE_MEANINGS[base]}.`).join('\n')}

  For Barnum's action links, register \`https://<your public base URL>/api/action?{{1}}\`. At send time
  the workflow supplies only the variable: the part of the action link after \`?\`, such as
  \`type=confirm&token=…\`, so the button opens the same page as the link in the Outbox Trigger's
  \`action_links\`.
- **Quick replies** come back to Barnum as an inbound message of type \`button\`, with the payload
  the workflow set when sending (the button's text when it set none) and the wamid of the template
  message in \`context.id\`. The *intent* column says what each button means to the workflows.
`;

const RULES = `## Meta's rules that matter

- **Category.** \`UTILITY\` templates are about something the customer already has with the business
  (an appointment, a reservation); \`MARKETING\` is everything promotional: reactivation, and
  abandoned-booking reminders, which Meta counts as marketing. Meta re-checks the category at
  review and may change it — a review request can be re-classified as marketing — and marketing
  templates cost more, are subject to per-customer frequency limits (error 131049) and are not
  delivered to people who stopped marketing messages from the business (131050).
- **Samples are required at submission** for every variable (\`{{1}}\` …) and every URL-button
  variable; a template without them is rejected before review.
- **Variables**: numbered \`{{1}}\` to \`{{n}}\` in order, without gaps; the body may not **start or end
  with a variable**, and a body with too many variables for its length is rejected. At send time
  the parameters must not be empty and must not contain new lines, tabs or more than four
  consecutive spaces (error 100), and the body with its parameters must fit in 1,024 characters
  (132005).
- **Limits**: header and footer up to 60 characters, no variables in the footer; button texts up
  to 25 characters; at most 10 buttons, quick replies grouped together; a URL button's variable
  only at the end of its URL.
- **24-hour customer service window.** Free-form messages (plain text) can be sent only within 24
  hours of the customer's last message to the business — a reply, or a quick-reply tap. Outside
  that window only templates can be sent; the Cloud API accepts a free-form message and then
  reports it \`failed\` with error 131047 (*Re-engagement message*) in a status webhook.
- **Opt-out.** Marketing templates must tell people how to stop them: Barnum's marketing templates
  end with "Reply STOP …", and reactivation also has a *Stop messages* button (intent \`stop\`).
  Whatever handles inbound messages must treat STOP, in any letter case, and that button as an
  opt-out (the Barnum node's *contact → opt out*); the outbox then skips every event for that
  contact. Honour opt-outs quickly: blocks and reports lower the number's quality rating and can
  get templates paused (132015) or disabled (132016).
- **Edits go back to review.** Changing an approved template's text makes it pending again; keep
  the old version sending until the new one is approved, or create it under a new name.
`;

function bodyBlock(text: string): string {
	return `\`\`\`text\n${text}\n\`\`\``;
}

function translationSection(template: TemplateDefinition, translation: TemplateTranslation): string {
	const lines = [`### ${LANGUAGE_NAMES[translation.language] ?? translation.language}`, ''];
	if (translation.header) lines.push(`**Header** (text): ${translation.header}`, '');
	lines.push('**Body**', '', bodyBlock(translation.body), '');
	if (translation.samples.length) {
		lines.push(`**Samples**: ${translation.samples.map((sample, i) => `\`{{${i + 1}}}\` = ${sample}`).join(' · ')}`, '');
	}
	if (translation.footer) lines.push(`**Footer**: ${translation.footer}`, '');
	if (translation.buttons.length) {
		lines.push('**Buttons**', '');
		translation.buttons.forEach((button, index) => {
			lines.push(
				button.type === 'URL'
					? `${index}. URL — **${button.text}** — \`${button.url}\` (sample: \`${button.sample}\`)`
					: `${index}. Quick reply — **${button.text}** (intent: \`${template.buttons[index]?.intent}\`)`,
			);
		});
		lines.push('');
	}
	return lines.join('\n');
}

function templateSection(template: TemplateDefinition): string {
	const lines = [`## \`${template.name}\``, '', `**Category**: ${template.category} · **Sent for**: ${template.sentFor}`, ''];
	if (template.variables.length) {
		lines.push('| Variable | Holds |', '| --- | --- |', ...template.variables.map((meaning, i) => `| \`{{${i + 1}}}\` | ${meaning} |`), '');
	}
	if (template.buttons.length) {
		const first = template.translations[0];
		lines.push(
			'| Button | Type | Intent | Run-time value |',
			'| --- | --- | --- | --- |',
			...template.buttons.map((meaning, i) => {
				const button = first.buttons[i];
				const base = button.type === 'URL' ? urlBaseOf(button.url) : undefined;
				const value = button.type === 'URL' ? `suffix: ${meaning.suffix ?? 'the URL variable'}${base ? ` (after \`{${base}}\`)` : ''}` : 'optional payload';
				return `| ${i} | ${button.type === 'URL' ? 'URL' : 'Quick reply'} | \`${meaning.intent}\` | ${value} |`;
			}),
			'',
		);
	}
	for (const translation of template.translations) lines.push(translationSection(template, translation));
	return lines.join('\n');
}

export function renderTemplateDoc(): string {
	const index = TEMPLATES.map((t) => `- [\`${t.name}\`](#${t.name}) — ${t.category}, ${t.sentFor}`).join('\n');
	return [INTRO, '## Templates', '', index, '', ...TEMPLATES.map(templateSection), RULES].join('\n');
}
