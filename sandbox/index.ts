/** The WhatsApp Cloud API sandbox: start it in-process, or read its template registry. */
export { createSandbox, type Sandbox, type SandboxControls } from './app';
export { startSandbox, type RunningSandbox, type StartOptions } from './start';
export type { SandboxDemo, SandboxOptions, SandboxSettings } from './options';
export type { PhoneInput } from './inbound';
export type { SandboxState, OutboundMessage, InboundMessage, WebhookDelivery, Fault } from './state';
export { TEMPLATES, findTranslation, templateLanguageFor, type TemplateDefinition, type TemplateLanguage } from './templates';
