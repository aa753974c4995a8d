import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderTemplateDoc } from '../../sandbox/template-doc';
import { TEMPLATES, TEMPLATE_LANGUAGES, templateLanguageFor, urlBaseOf, variablesIn } from '../../sandbox/templates';

const DOC_PATH = path.join(__dirname, '..', '..', 'docs', 'whatsapp-templates.md');
const doc = readFileSync(DOC_PATH, 'utf8');

const cases = TEMPLATES.flatMap((template) => template.translations.map((translation) => ({ name: `${template.name} ${translation.language}`, template, translation })));

describe('the registry follows the rules Meta applies at submission', () => {
	test('names are unique lowercase identifiers, and every template exists in every language', () => {
		expect(new Set(TEMPLATES.map((t) => t.name)).size).toBe(TEMPLATES.length);
		for (const template of TEMPLATES) {
			expect(template.name).toMatch(/^barnum_[a-z0-9_]+$/);
			expect(template.translations.map((t) => t.language).sort()).toEqual([...TEMPLATE_LANGUAGES].sort());
		}
	});

	test.each(cases)('$name: variables, samples and limits', ({ template, translation }) => {
		const variables = variablesIn(translation.body);
		const distinct = [...new Set(variables)];
		// {{1}}..{{n}} in order, no gaps, one per meaning, one sample each.
		expect(distinct).toEqual(template.variables.map((_, i) => i + 1));
		expect(translation.samples).toHaveLength(distinct.length);
		for (const sample of translation.samples) expect(sample).not.toMatch(/[\n\t]| {5,}/);
		// Meta refuses a body that starts or ends with a variable.
		expect(translation.body.trim()).not.toMatch(/^\{\{\d+\}\}|\{\{\d+\}\}$/);
		expect(translation.body.length).toBeLessThanOrEqual(1024);
		if (translation.header) {
			expect(translation.header.length).toBeLessThanOrEqual(60);
			expect(variablesIn(translation.header)).toEqual([]);
		}
		if (translation.footer) {
			expect(translation.footer.length).toBeLessThanOrEqual(60);
			expect(variablesIn(translation.footer)).toEqual([]);
		}
	});

	test.each(cases)('$name: buttons', ({ template, translation }) => {
		expect(translation.buttons).toHaveLength(template.buttons.length);
		expect(translation.buttons.length).toBeLessThanOrEqual(10);
		// Every language has the same buttons in the same order: sends address them by index.
		expect(translation.buttons.map((b) => b.type)).toEqual(template.translations[0].buttons.map((b) => b.type));
		const types = translation.buttons.map((b) => b.type).join(',');
		expect(types).not.toMatch(/QUICK_REPLY.*URL.*QUICK_REPLY/);
		for (const button of translation.buttons) {
			expect(button.text.length).toBeGreaterThan(0);
			expect(button.text.length).toBeLessThanOrEqual(25);
			if (button.type === 'URL') {
				expect(urlBaseOf(button.url)).toBeDefined();
				expect(variablesIn(button.url)).toEqual([1]);
				expect(button.url.endsWith('{{1}}')).toBe(true);
				expect(button.sample).not.toBe('');
			}
		}
	});

	test('marketing templates tell people how to stop them', () => {
		for (const template of TEMPLATES.filter((t) => t.category === 'MARKETING')) {
			for (const translation of template.translations) expect(translation.footer).toContain('STOP');
		}
	});

	test("Barnum's locales map to Meta's language codes", () => {
		expect(['pt-PT', 'pt', 'pt-BR', 'en', 'en-GB', 'es', 'es-ES', 'fr'].map(templateLanguageFor)).toEqual(['pt_PT', 'pt_PT', 'pt_BR', 'en', 'en', 'es', 'es', undefined]);
	});
});

describe('docs/whatsapp-templates.md', () => {
	test('is exactly what the registry generates (regenerate: node build/sandbox/cli.js docs > docs/whatsapp-templates.md)', () => {
		expect(doc).toBe(renderTemplateDoc());
	});

	test.each(cases)('contains $name verbatim', ({ template, translation }) => {
		expect(doc).toContain(`## \`${template.name}\``);
		expect(doc).toContain(`\`\`\`text\n${translation.body}\n\`\`\``);
		if (translation.header) expect(doc).toContain(translation.header);
		if (translation.footer) expect(doc).toContain(translation.footer);
		for (const button of translation.buttons) {
			expect(doc).toContain(`**${button.text}**`);
			if (button.type === 'URL') expect(doc).toContain(`\`${button.url}\``);
		}
		for (const sample of translation.samples) expect(doc).toContain(sample);
	});

	test("ends with Meta's rules", () => {
		const rules = doc.slice(doc.indexOf("## Meta's rules that matter"));
		for (const topic of ['Category', 'Samples are required', 'start or end', '24-hour customer service window', 'STOP']) expect(rules).toContain(topic);
	});
});
