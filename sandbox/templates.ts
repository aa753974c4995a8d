/**
 * The WhatsApp message templates a Barnum business submits to Meta, defined once: the sandbox
 * enforces exactly these (as Meta enforces the approved ones) and docs/whatsapp-templates.md is
 * generated from them, so the texts people submit and the texts tests run against cannot drift.
 *
 * Template names are the contract with the bundled workflows. Button order is part of it too: a
 * send addresses buttons by index, so every translation keeps the same buttons in the same order.
 */

export type TemplateCategory = 'UTILITY' | 'MARKETING';

/** Meta's language codes (not BCP 47: `pt_PT`, not `pt-PT`). */
export type TemplateLanguage = 'pt_PT' | 'en' | 'pt_BR' | 'es';

export const TEMPLATE_LANGUAGES: readonly TemplateLanguage[] = ['pt_PT', 'en', 'pt_BR', 'es'];

/**
 * Where a URL button points before its variable. Meta freezes the URL at approval, except one
 * trailing variable, so each business registers its own address in place of the marker.
 */
export type UrlBase = 'PUBLIC_BASE_URL' | 'REVIEW_URL' | 'BOOKING_URL';

export const URL_BASE_MEANINGS: Record<UrlBase, string> = {
	PUBLIC_BASE_URL: "the https address of the business's Barnum companion server (its public base URL setting)",
	REVIEW_URL:
		'the review page, up to where the variable goes (for example `https://search.google.com/local/writereview?placeid=`)',
	BOOKING_URL: "the booking engine's page that resumes a booking, up to where the variable goes",
};

export interface QuickReplyButton {
	type: 'QUICK_REPLY';
	text: string;
}

export interface UrlButton {
	type: 'URL';
	text: string;
	/** `{MARKER}` + fixed path + `{{1}}`, e.g. `{PUBLIC_BASE_URL}/api/action?{{1}}`. */
	url: string;
	/** A sample suffix, required by Meta at submission for a URL with a variable. */
	sample: string;
}

export type TemplateButton = QuickReplyButton | UrlButton;

export interface TemplateTranslation {
	language: TemplateLanguage;
	/** A text header without variables, when the template has one. */
	header?: string;
	/** The body, with {{1}}..{{n}}. */
	body: string;
	/** Sample values for {{1}}..{{n}}, required by Meta at submission. */
	samples: string[];
	/** No variables allowed in footers. */
	footer?: string;
	buttons: TemplateButton[];
}

export interface ButtonMeaning {
	/** What the button does for Barnum, e.g. `confirm`; for quick replies, the intent its payload should carry. */
	intent: string;
	/** For URL buttons: what the run-time suffix is. */
	suffix?: string;
}

export interface TemplateDefinition {
	name: string;
	category: TemplateCategory;
	/** When Barnum sends it (the outbox event type or the flow). */
	sentFor: string;
	/** What each body variable holds, {{1}} first. */
	variables: string[];
	/** One per button, in button order. */
	buttons: ButtonMeaning[];
	translations: TemplateTranslation[];
}

const ACTION_URL = '{PUBLIC_BASE_URL}/api/action?{{1}}';
const ACTION_SUFFIX =
	'the part of the action link after `?` (`action_links.confirm`, `.cancel` or `.reschedule` in the Outbox Trigger payload), e.g. `type=confirm&token=…`';
const REVIEW = '{REVIEW_URL}{{1}}';
const REVIEW_SAMPLE = 'ChIJN1t_tDeuEmsRUsoyG83frY4';
const STOP_EN = 'Reply STOP to stop receiving these messages';

const appointmentVariables = [
	"patient's first name",
	"appointment date, written out in the patient's language (e.g. `segunda-feira, 1 de julho`)",
	'appointment time in the clinic time zone, `HH:MM`',
	"professional's name",
	'clinic name',
];

const appointmentButtons: ButtonMeaning[] = [
	{ intent: 'confirm' },
	{ intent: 'cancel' },
	{ intent: 'manage', suffix: ACTION_SUFFIX },
];

export const TEMPLATES: readonly TemplateDefinition[] = [
	{
		name: 'barnum_appointment_confirmation',
		category: 'UTILITY',
		sentFor: 'pre-confirmation of a new appointment (event `appointment.pre_confirmed`)',
		variables: appointmentVariables,
		buttons: appointmentButtons,
		translations: [
			{
				language: 'pt_PT',
				header: 'Confirme a sua consulta',
				body:
					'Olá {{1}}, tem uma consulta marcada para {{2}}, às {{3}}, com {{4}} ({{5}}).\n\n' +
					'Pode confirmar a sua presença? Se não puder comparecer, cancele ou remarque pelos botões abaixo.',
				samples: ['Maria', 'segunda-feira, 1 de julho', '10:30', 'Dr.ª Ana Costa', 'Clínica Sorriso'],
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Confirmar' },
					{ type: 'QUICK_REPLY', text: 'Cancelar' },
					{ type: 'URL', text: 'Gerir marcação', url: ACTION_URL, sample: 'type=confirm&token=q3Xr9aBcD7' },
				],
			},
			{
				language: 'en',
				header: 'Please confirm your appointment',
				body:
					'Hello {{1}}, you have an appointment on {{2}} at {{3}} with {{4}} ({{5}}).\n\n' +
					'Can you confirm you will come? If you cannot make it, cancel or reschedule with the buttons below.',
				samples: ['Maria', 'Monday, 1 July', '10:30', 'Dr Ana Costa', 'Sorriso Clinic'],
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Confirm' },
					{ type: 'QUICK_REPLY', text: 'Cancel' },
					{ type: 'URL', text: 'Manage booking', url: ACTION_URL, sample: 'type=confirm&token=q3Xr9aBcD7' },
				],
			},
			{
				language: 'pt_BR',
				header: 'Confirme sua consulta',
				body:
					'Olá {{1}}, você tem uma consulta marcada para {{2}}, às {{3}}, com {{4}} ({{5}}).\n\n' +
					'Pode confirmar sua presença? Se não puder comparecer, cancele ou remarque pelos botões abaixo.',
				samples: ['Maria', 'segunda-feira, 1 de julho', '10:30', 'Dra. Ana Costa', 'Clínica Sorriso'],
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Confirmar' },
					{ type: 'QUICK_REPLY', text: 'Cancelar' },
					{ type: 'URL', text: 'Gerenciar consulta', url: ACTION_URL, sample: 'type=confirm&token=q3Xr9aBcD7' },
				],
			},
			{
				language: 'es',
				header: 'Confirme su cita',
				body:
					'Hola {{1}}, tiene una cita el {{2}} a las {{3}} con {{4}} ({{5}}).\n\n' +
					'¿Puede confirmar su asistencia? Si no puede acudir, cancele o cambie la cita con los botones de abajo.',
				samples: ['María', 'lunes, 1 de julio', '10:30', 'Dra. Ana Costa', 'Clínica Sonrisa'],
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Confirmar' },
					{ type: 'QUICK_REPLY', text: 'Cancelar' },
					{ type: 'URL', text: 'Gestionar cita', url: ACTION_URL, sample: 'type=confirm&token=q3Xr9aBcD7' },
				],
			},
		],
	},
	{
		name: 'barnum_appointment_reminder',
		category: 'UTILITY',
		sentFor: 'reminder 24 hours before the appointment (event `appointment.reminder`)',
		variables: appointmentVariables,
		buttons: appointmentButtons,
		translations: [
			{
				language: 'pt_PT',
				header: 'Lembrete de consulta',
				body:
					'Olá {{1}}, lembramos a sua consulta de {{2}}, às {{3}}, com {{4}} ({{5}}).\n\n' +
					'Por favor confirme a sua presença. Se não puder vir, cancele ou remarque para podermos oferecer a vaga a outra pessoa.',
				samples: ['Maria', 'segunda-feira, 1 de julho', '10:30', 'Dr.ª Ana Costa', 'Clínica Sorriso'],
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Confirmar' },
					{ type: 'QUICK_REPLY', text: 'Cancelar' },
					{ type: 'URL', text: 'Gerir marcação', url: ACTION_URL, sample: 'type=confirm&token=q3Xr9aBcD7' },
				],
			},
			{
				language: 'en',
				header: 'Appointment reminder',
				body:
					'Hello {{1}}, this is a reminder of your appointment on {{2}} at {{3}} with {{4}} ({{5}}).\n\n' +
					'Please confirm you will come. If you cannot make it, cancel or reschedule so we can offer the slot to someone else.',
				samples: ['Maria', 'Monday, 1 July', '10:30', 'Dr Ana Costa', 'Sorriso Clinic'],
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Confirm' },
					{ type: 'QUICK_REPLY', text: 'Cancel' },
					{ type: 'URL', text: 'Manage booking', url: ACTION_URL, sample: 'type=confirm&token=q3Xr9aBcD7' },
				],
			},
			{
				language: 'pt_BR',
				header: 'Lembrete de consulta',
				body:
					'Olá {{1}}, lembramos da sua consulta de {{2}}, às {{3}}, com {{4}} ({{5}}).\n\n' +
					'Por favor, confirme sua presença. Se não puder vir, cancele ou remarque para podermos oferecer o horário a outra pessoa.',
				samples: ['Maria', 'segunda-feira, 1 de julho', '10:30', 'Dra. Ana Costa', 'Clínica Sorriso'],
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Confirmar' },
					{ type: 'QUICK_REPLY', text: 'Cancelar' },
					{ type: 'URL', text: 'Gerenciar consulta', url: ACTION_URL, sample: 'type=confirm&token=q3Xr9aBcD7' },
				],
			},
			{
				language: 'es',
				header: 'Recordatorio de cita',
				body:
					'Hola {{1}}, le recordamos su cita del {{2}} a las {{3}} con {{4}} ({{5}}).\n\n' +
					'Por favor, confirme su asistencia. Si no puede acudir, cancele o cambie la cita para que podamos ofrecer el hueco a otra persona.',
				samples: ['María', 'lunes, 1 de julio', '10:30', 'Dra. Ana Costa', 'Clínica Sonrisa'],
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Confirmar' },
					{ type: 'QUICK_REPLY', text: 'Cancelar' },
					{ type: 'URL', text: 'Gestionar cita', url: ACTION_URL, sample: 'type=confirm&token=q3Xr9aBcD7' },
				],
			},
		],
	},
	{
		name: 'barnum_no_show_reschedule',
		category: 'UTILITY',
		sentFor: 'after a missed appointment (event `appointment.no_show`)',
		variables: ["patient's first name", 'clinic name'],
		buttons: [
			{ intent: 'reschedule' },
			{ intent: 'decline' },
			{ intent: 'reschedule', suffix: 'the part of `action_links.reschedule` after `?`, e.g. `type=reschedule&token=…`' },
		],
		translations: [
			{
				language: 'pt_PT',
				body: 'Olá {{1}}, reparámos que não conseguiu vir à sua consulta ({{2}}). Quer marcar uma nova data?',
				samples: ['Maria', 'Clínica Sorriso'],
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Sim, remarcar' },
					{ type: 'QUICK_REPLY', text: 'Não, obrigado' },
					{ type: 'URL', text: 'Escolher nova data', url: ACTION_URL, sample: 'type=reschedule&token=q3Xr9aBcD7' },
				],
			},
			{
				language: 'en',
				body: 'Hello {{1}}, we noticed you could not make it to your appointment ({{2}}). Would you like to book a new date?',
				samples: ['Maria', 'Sorriso Clinic'],
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Yes, reschedule' },
					{ type: 'QUICK_REPLY', text: 'No, thanks' },
					{ type: 'URL', text: 'Choose a new date', url: ACTION_URL, sample: 'type=reschedule&token=q3Xr9aBcD7' },
				],
			},
			{
				language: 'pt_BR',
				body: 'Olá {{1}}, percebemos que você não conseguiu vir à sua consulta ({{2}}). Quer marcar uma nova data?',
				samples: ['Maria', 'Clínica Sorriso'],
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Sim, remarcar' },
					{ type: 'QUICK_REPLY', text: 'Não, obrigado' },
					{ type: 'URL', text: 'Escolher nova data', url: ACTION_URL, sample: 'type=reschedule&token=q3Xr9aBcD7' },
				],
			},
			{
				language: 'es',
				body: 'Hola {{1}}, hemos visto que no pudo acudir a su cita ({{2}}). ¿Quiere reservar una nueva fecha?',
				samples: ['María', 'Clínica Sonrisa'],
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Sí, cambiar la cita' },
					{ type: 'QUICK_REPLY', text: 'No, gracias' },
					{ type: 'URL', text: 'Elegir nueva fecha', url: ACTION_URL, sample: 'type=reschedule&token=q3Xr9aBcD7' },
				],
			},
		],
	},
	{
		name: 'barnum_review_request',
		category: 'UTILITY',
		sentFor: 'after a completed appointment (event `appointment.review_request`)',
		variables: ["patient's first name", 'clinic name'],
		buttons: [{ intent: 'review', suffix: 'what completes the registered review URL (e.g. the Google Place ID of this location)' }],
		translations: [
			{
				language: 'pt_PT',
				body:
					'Olá {{1}}, obrigado por ter escolhido {{2}}. Como correu a sua consulta? ' +
					'Deixe-nos a sua avaliação: demora um minuto e ajuda-nos a melhorar.',
				samples: ['Maria', 'Clínica Sorriso'],
				buttons: [{ type: 'URL', text: 'Deixar avaliação', url: REVIEW, sample: REVIEW_SAMPLE }],
			},
			{
				language: 'en',
				body:
					'Hello {{1}}, thank you for choosing {{2}}. How was your appointment? ' +
					'Leave us a review: it takes a minute and helps us improve.',
				samples: ['Maria', 'Sorriso Clinic'],
				buttons: [{ type: 'URL', text: 'Leave a review', url: REVIEW, sample: REVIEW_SAMPLE }],
			},
			{
				language: 'pt_BR',
				body:
					'Olá {{1}}, obrigado por escolher {{2}}. Como foi sua consulta? ' +
					'Deixe sua avaliação: leva um minuto e nos ajuda a melhorar.',
				samples: ['Maria', 'Clínica Sorriso'],
				buttons: [{ type: 'URL', text: 'Deixar avaliação', url: REVIEW, sample: REVIEW_SAMPLE }],
			},
			{
				language: 'es',
				body:
					'Hola {{1}}, gracias por elegir {{2}}. ¿Qué tal fue su cita? ' +
					'Déjenos su opinión: solo lleva un minuto y nos ayuda a mejorar.',
				samples: ['María', 'Clínica Sonrisa'],
				buttons: [{ type: 'URL', text: 'Dejar opinión', url: REVIEW, sample: REVIEW_SAMPLE }],
			},
		],
	},
	{
		name: 'barnum_reactivation',
		category: 'MARKETING',
		sentFor: 'patients who have not visited for a while (reactivation flow)',
		variables: ["patient's first name", 'clinic name', 'whole months since the last visit'],
		buttons: [{ intent: 'book' }, { intent: 'stop' }],
		translations: [
			{
				language: 'pt_PT',
				body:
					'Olá {{1}}, {{2}} tem saudades suas! Já passaram {{3}} meses desde a sua última consulta. ' +
					'Que tal marcar uma revisão? Responda a esta mensagem e tratamos de tudo.',
				samples: ['Maria', 'Clínica Sorriso', '8'],
				footer: 'Responda STOP para não receber mais mensagens',
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Marcar consulta' },
					{ type: 'QUICK_REPLY', text: 'Parar mensagens' },
				],
			},
			{
				language: 'en',
				body:
					'Hello {{1}}, {{2}} misses you! It has been {{3}} months since your last visit. ' +
					'How about booking a check-up? Reply to this message and we will take care of the rest.',
				samples: ['Maria', 'Sorriso Clinic', '8'],
				footer: STOP_EN,
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Book a visit' },
					{ type: 'QUICK_REPLY', text: 'Stop messages' },
				],
			},
			{
				language: 'pt_BR',
				body:
					'Olá {{1}}, {{2}} está com saudades! Já se passaram {{3}} meses desde a sua última consulta. ' +
					'Que tal agendar um retorno? Responda a esta mensagem e cuidamos de tudo.',
				samples: ['Maria', 'Clínica Sorriso', '8'],
				footer: 'Responda STOP para não receber mais mensagens',
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Agendar consulta' },
					{ type: 'QUICK_REPLY', text: 'Parar mensagens' },
				],
			},
			{
				language: 'es',
				body:
					'Hola {{1}}, ¡en {{2}} le echamos de menos! Han pasado {{3}} meses desde su última visita. ' +
					'¿Qué tal si reserva una revisión? Responda a este mensaje y nos encargamos de todo.',
				samples: ['María', 'Clínica Sonrisa', '8'],
				footer: 'Responda STOP para dejar de recibir mensajes',
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Reservar cita' },
					{ type: 'QUICK_REPLY', text: 'Dejar de recibir' },
				],
			},
		],
	},
	{
		name: 'barnum_team_notice',
		category: 'UTILITY',
		sentFor: "the clinic's own staff number: something needs a person (workflow `clinic-team-notifications.json`)",
		variables: [
			'what happened and who (or, in a digest, how many items)',
			'the appointment (or, in a digest, the list)',
			'what to do next',
			'the link (or, in a digest, the links) that marks it handled',
		],
		buttons: [],
		translations: [
			{
				language: 'pt_PT',
				body: 'Barnum: {{1}}\n\nConsulta: {{2}}\n\nA fazer: {{3}}\n\nMarcar como tratado: {{4}}\n\nO Barnum avisa uma vez por assunto.',
				samples: [
					'Pedido de remarcação — João Silva. João Silva pediu outra data pelo link da mensagem.',
					'qua., 9/12/2026, 10:00 · Dr.ª Maria Santos · Clínica Sorriso',
					'Ligue a João Silva para o +351912345678 e combine uma nova data.',
					'https://book.clinica-sorriso.pt/api/team/handled?token=q3Xr9aBcD7',
				],
				buttons: [],
			},
			{
				language: 'en',
				body: 'Barnum: {{1}}\n\nAppointment: {{2}}\n\nNext: {{3}}\n\nMark it handled: {{4}}\n\nBarnum tells you once per item.',
				samples: [
					'Reschedule requested — João Silva. João Silva asked for another time with the link in their message.',
					'Wed, 9 Dec 2026, 10:00 · Dr Maria Santos · Sorriso Clinic',
					'Call João Silva on +351912345678 to agree a new time.',
					'https://book.clinica-sorriso.pt/api/team/handled?token=q3Xr9aBcD7',
				],
				buttons: [],
			},
			{
				language: 'pt_BR',
				body: 'Barnum: {{1}}\n\nConsulta: {{2}}\n\nPróximo passo: {{3}}\n\nMarcar como resolvido: {{4}}\n\nO Barnum avisa uma vez por item.',
				samples: [
					'Pedido de remarcação — João Silva. João Silva pediu outro horário pelo link da mensagem.',
					'qua., 9/12/2026, 10:00 · Dra. Maria Santos · Clínica Sorriso',
					'Ligue para João Silva no +5511912345678 e combine um novo horário.',
					'https://agenda.clinicasorriso.com.br/api/team/handled?token=q3Xr9aBcD7',
				],
				buttons: [],
			},
			{
				language: 'es',
				body: 'Barnum: {{1}}\n\nCita: {{2}}\n\nSiguiente paso: {{3}}\n\nMarcar como resuelto: {{4}}\n\nBarnum avisa una vez por asunto.',
				samples: [
					'Cambio de cita solicitado — Juan García. Juan García pidió otra hora con el enlace del mensaje.',
					'mié., 9/12/2026, 10:00 · Dra. María Santos · Clínica Sonrisa',
					'Llame a Juan García al +34612345678 para acordar una nueva hora.',
					'https://citas.clinicasonrisa.es/api/team/handled?token=q3Xr9aBcD7',
				],
				buttons: [],
			},
		],
	},
	{
		name: 'barnum_booking_reminder',
		category: 'MARKETING',
		sentFor: 'resort: a booking started on the booking engine and not finished (abandoned-booking reminder)',
		variables: ["guest's first name", 'property name', 'the dates of the stay, written out (e.g. `12 a 15 de agosto`)'],
		buttons: [{ intent: 'complete booking', suffix: "what completes the booking engine's resume URL (e.g. `booking=AB12CD`)" }],
		translations: [
			{
				language: 'pt_PT',
				body:
					'Olá {{1}}, a sua reserva em {{2}} para {{3}} ficou por concluir. ' +
					'Quer terminá-la agora? Demora poucos minutos.',
				samples: ['Sofia', 'Quinta das Ondas', '12 a 15 de agosto'],
				footer: 'Responda STOP para não receber mais mensagens',
				buttons: [{ type: 'URL', text: 'Concluir reserva', url: '{BOOKING_URL}{{1}}', sample: 'booking=AB12CD' }],
			},
			{
				language: 'en',
				body:
					'Hello {{1}}, your booking at {{2}} for {{3}} is not finished yet. ' +
					'Would you like to complete it now? It only takes a few minutes.',
				samples: ['Sofia', 'Quinta das Ondas', '12–15 August'],
				footer: STOP_EN,
				buttons: [{ type: 'URL', text: 'Complete booking', url: '{BOOKING_URL}{{1}}', sample: 'booking=AB12CD' }],
			},
			{
				language: 'pt_BR',
				body:
					'Olá {{1}}, sua reserva em {{2}} para {{3}} ainda não foi concluída. ' +
					'Quer finalizá-la agora? Leva poucos minutos.',
				samples: ['Sofia', 'Quinta das Ondas', '12 a 15 de agosto'],
				footer: 'Responda STOP para não receber mais mensagens',
				buttons: [{ type: 'URL', text: 'Concluir reserva', url: '{BOOKING_URL}{{1}}', sample: 'booking=AB12CD' }],
			},
			{
				language: 'es',
				body:
					'Hola {{1}}, su reserva en {{2}} para {{3}} aún no está completa. ' +
					'¿Quiere terminarla ahora? Solo lleva unos minutos.',
				samples: ['Sofía', 'Quinta das Ondas', '12 al 15 de agosto'],
				footer: 'Responda STOP para dejar de recibir mensajes',
				buttons: [{ type: 'URL', text: 'Completar reserva', url: '{BOOKING_URL}{{1}}', sample: 'booking=AB12CD' }],
			},
		],
	},
	{
		name: 'barnum_reservation_confirmation',
		category: 'UTILITY',
		sentFor: 'resort: a reservation is confirmed',
		variables: ["guest's first name", 'property name', 'check-in date', 'check-out date', 'reservation code'],
		buttons: [],
		translations: [
			{
				language: 'pt_PT',
				header: 'Reserva confirmada',
				body: 'Olá {{1}}, a sua reserva em {{2}} está confirmada.\n\nCheck-in: {{3}}\nCheck-out: {{4}}\nCódigo da reserva: {{5}}\n\nAté breve!',
				samples: ['Sofia', 'Quinta das Ondas', 'sábado, 12 de agosto', 'terça-feira, 15 de agosto', 'AB12CD'],
				buttons: [],
			},
			{
				language: 'en',
				header: 'Reservation confirmed',
				body: 'Hello {{1}}, your reservation at {{2}} is confirmed.\n\nCheck-in: {{3}}\nCheck-out: {{4}}\nReservation code: {{5}}\n\nSee you soon!',
				samples: ['Sofia', 'Quinta das Ondas', 'Saturday, 12 August', 'Tuesday, 15 August', 'AB12CD'],
				buttons: [],
			},
			{
				language: 'pt_BR',
				header: 'Reserva confirmada',
				body: 'Olá {{1}}, sua reserva em {{2}} está confirmada.\n\nCheck-in: {{3}}\nCheck-out: {{4}}\nCódigo da reserva: {{5}}\n\nAté breve!',
				samples: ['Sofia', 'Quinta das Ondas', 'sábado, 12 de agosto', 'terça-feira, 15 de agosto', 'AB12CD'],
				buttons: [],
			},
			{
				language: 'es',
				header: 'Reserva confirmada',
				body: 'Hola {{1}}, su reserva en {{2}} está confirmada.\n\nEntrada: {{3}}\nSalida: {{4}}\nCódigo de reserva: {{5}}\n\n¡Hasta pronto!',
				samples: ['Sofía', 'Quinta das Ondas', 'sábado, 12 de agosto', 'martes, 15 de agosto', 'AB12CD'],
				buttons: [],
			},
		],
	},
	{
		name: 'barnum_post_stay_review',
		category: 'UTILITY',
		sentFor: 'resort: after check-out',
		variables: ["guest's first name", 'property name'],
		buttons: [{ intent: 'review', suffix: 'what completes the registered review URL' }],
		translations: [
			{
				language: 'pt_PT',
				body:
					'Olá {{1}}, obrigado por ter ficado em {{2}}. Esperamos que tenha gostado da estadia! ' +
					'Pode deixar-nos uma avaliação? Demora um minuto e ajuda outros viajantes.',
				samples: ['Sofia', 'Quinta das Ondas'],
				buttons: [{ type: 'URL', text: 'Deixar avaliação', url: REVIEW, sample: REVIEW_SAMPLE }],
			},
			{
				language: 'en',
				body:
					'Hello {{1}}, thank you for staying at {{2}}. We hope you enjoyed it! ' +
					'Could you leave us a review? It takes a minute and helps other travellers.',
				samples: ['Sofia', 'Quinta das Ondas'],
				buttons: [{ type: 'URL', text: 'Leave a review', url: REVIEW, sample: REVIEW_SAMPLE }],
			},
			{
				language: 'pt_BR',
				body:
					'Olá {{1}}, obrigado por se hospedar em {{2}}. Esperamos que tenha gostado da estadia! ' +
					'Pode nos deixar uma avaliação? Leva um minuto e ajuda outros viajantes.',
				samples: ['Sofia', 'Quinta das Ondas'],
				buttons: [{ type: 'URL', text: 'Deixar avaliação', url: REVIEW, sample: REVIEW_SAMPLE }],
			},
			{
				language: 'es',
				body:
					'Hola {{1}}, gracias por alojarse en {{2}}. ¡Esperamos que haya disfrutado de su estancia! ' +
					'¿Nos deja una valoración? Solo lleva un minuto y ayuda a otros viajeros.',
				samples: ['Sofía', 'Quinta das Ondas'],
				buttons: [{ type: 'URL', text: 'Dejar valoración', url: REVIEW, sample: REVIEW_SAMPLE }],
			},
		],
	},
	{
		name: 'barnum_pre_arrival',
		category: 'UTILITY',
		sentFor: 'resort: a few days before check-in (event `booking.pre_arrival`, `pre_arrival_days` before, at `pre_arrival_time` on the property\'s clock)',
		variables: ["guest's first name", 'property name', "check-in date, written out in the guest's language", "check-in time in the property's time zone, `HH:MM`"],
		buttons: [],
		translations: [
			{
				language: 'pt_PT',
				body:
					'Olá {{1}}, está quase! Esperamos por si em {{2}} no dia {{3}}. O check-in é a partir das {{4}}.\n\n' +
					'Se precisar de alguma coisa antes de chegar, responda a esta mensagem.',
				samples: ['Sofia', 'Quinta das Ondas', 'sábado, 12 de agosto', '15:00'],
				buttons: [],
			},
			{
				language: 'en',
				body:
					'Hello {{1}}, not long now! We look forward to welcoming you at {{2}} on {{3}}. Check-in is from {{4}}.\n\n' +
					'If you need anything before you arrive, just reply to this message.',
				samples: ['Sofia', 'Quinta das Ondas', 'Saturday, 12 August', '15:00'],
				buttons: [],
			},
			{
				language: 'pt_BR',
				body:
					'Olá {{1}}, falta pouco! Esperamos você em {{2}} no dia {{3}}. O check-in é a partir das {{4}}.\n\n' +
					'Se precisar de algo antes de chegar, é só responder esta mensagem.',
				samples: ['Sofia', 'Quinta das Ondas', 'sábado, 12 de agosto', '15:00'],
				buttons: [],
			},
			{
				language: 'es',
				body:
					'Hola {{1}}, ¡ya queda poco! Le esperamos en {{2}} el {{3}}. La entrada es a partir de las {{4}}.\n\n' +
					'Si necesita algo antes de llegar, responda a este mensaje.',
				samples: ['Sofía', 'Quinta das Ondas', 'sábado, 12 de agosto', '15:00'],
				buttons: [],
			},
		],
	},
	{
		name: 'barnum_check_out',
		category: 'UTILITY',
		sentFor: 'resort: the morning of departure (event `booking.check_out`, at `check_out_message_time` on the property\'s clock)',
		variables: ["guest's first name", 'property name', "check-out time in the property's time zone, `HH:MM`"],
		buttons: [],
		translations: [
			{
				language: 'pt_PT',
				body: 'Bom dia {{1}}! Hoje é o dia da sua partida de {{2}}: o check-out é até às {{3}}. Obrigado pela estadia e boa viagem!',
				samples: ['Sofia', 'Quinta das Ondas', '11:00'],
				buttons: [],
			},
			{
				language: 'en',
				body: 'Good morning {{1}}! Today you leave {{2}}: check-out is by {{3}}. Thank you for staying with us, and safe travels!',
				samples: ['Sofia', 'Quinta das Ondas', '11:00'],
				buttons: [],
			},
			{
				language: 'pt_BR',
				body: 'Bom dia {{1}}! Hoje é o dia da sua saída de {{2}}: o check-out é até as {{3}}. Obrigado pela estadia e boa viagem!',
				samples: ['Sofia', 'Quinta das Ondas', '11:00'],
				buttons: [],
			},
			{
				language: 'es',
				body: '¡Buenos días {{1}}! Hoy deja {{2}}: la salida es hasta las {{3}}. ¡Gracias por alojarse con nosotros y buen viaje!',
				samples: ['Sofía', 'Quinta das Ondas', '11:00'],
				buttons: [],
			},
		],
	},
	{
		name: 'barnum_booking_modified',
		category: 'UTILITY',
		sentFor: 'resort: the dates of a confirmed reservation changed (event `booking.modification`): the corrected confirmation',
		variables: ["guest's first name", 'property name', 'new check-in date', 'new check-out date', 'reservation code'],
		buttons: [],
		translations: [
			{
				language: 'pt_PT',
				header: 'Reserva alterada',
				body: 'Olá {{1}}, a sua reserva em {{2}} foi alterada. Estas são as novas datas:\n\nCheck-in: {{3}}\nCheck-out: {{4}}\nCódigo da reserva: {{5}}\n\nAté breve!',
				samples: ['Sofia', 'Quinta das Ondas', 'domingo, 13 de agosto', 'quarta-feira, 16 de agosto', 'AB12CD'],
				buttons: [],
			},
			{
				language: 'en',
				header: 'Reservation changed',
				body: 'Hello {{1}}, your reservation at {{2}} has changed. These are the new dates:\n\nCheck-in: {{3}}\nCheck-out: {{4}}\nReservation code: {{5}}\n\nSee you soon!',
				samples: ['Sofia', 'Quinta das Ondas', 'Sunday, 13 August', 'Wednesday, 16 August', 'AB12CD'],
				buttons: [],
			},
			{
				language: 'pt_BR',
				header: 'Reserva alterada',
				body: 'Olá {{1}}, sua reserva em {{2}} foi alterada. Estas são as novas datas:\n\nCheck-in: {{3}}\nCheck-out: {{4}}\nCódigo da reserva: {{5}}\n\nAté breve!',
				samples: ['Sofia', 'Quinta das Ondas', 'domingo, 13 de agosto', 'quarta-feira, 16 de agosto', 'AB12CD'],
				buttons: [],
			},
			{
				language: 'es',
				header: 'Reserva modificada',
				body: 'Hola {{1}}, su reserva en {{2}} ha cambiado. Estas son las nuevas fechas:\n\nEntrada: {{3}}\nSalida: {{4}}\nCódigo de reserva: {{5}}\n\n¡Hasta pronto!',
				samples: ['Sofía', 'Quinta das Ondas', 'domingo, 13 de agosto', 'miércoles, 16 de agosto', 'AB12CD'],
				buttons: [],
			},
		],
	},
];

const VARIABLE = /\{\{(\d+)\}\}/g;

/** The variable numbers in order of appearance, e.g. [1, 2, 3]. */
export function variablesIn(text: string): number[] {
	return [...text.matchAll(VARIABLE)].map((match) => Number(match[1]));
}

/** Replaces {{n}} with values[n - 1]; a missing value leaves the variable as it is. */
export function fillVariables(text: string, values: readonly string[]): string {
	return text.replace(VARIABLE, (whole, n: string) => values[Number(n) - 1] ?? whole);
}

/** The URL base marker a button URL starts with, e.g. PUBLIC_BASE_URL. */
export function urlBaseOf(url: string): UrlBase | undefined {
	const marker = /^\{([A-Z_]+)\}/.exec(url)?.[1];
	return marker && marker in URL_BASE_MEANINGS ? (marker as UrlBase) : undefined;
}

/** The registered URL of a button with its base marker replaced, variable still in place. */
export function resolveUrlBase(url: string, bases: Record<UrlBase, string>): string {
	const base = urlBaseOf(url);
	return base ? bases[base] + url.slice(base.length + 2) : url;
}

export function findTemplate(name: string): TemplateDefinition | undefined {
	return TEMPLATES.find((template) => template.name === name);
}

export function findTranslation(name: string, language: string): { template: TemplateDefinition; translation: TemplateTranslation } | undefined {
	const template = findTemplate(name);
	const translation = template?.translations.find((t) => t.language === language);
	return template && translation ? { template, translation } : undefined;
}

/** Barnum's locale tags (`pt-PT`, `en`, …) to Meta's language codes; undefined when none fits. */
export function templateLanguageFor(locale: string): TemplateLanguage | undefined {
	const [language, region] = locale.replace('_', '-').split('-');
	if (language.toLowerCase() === 'pt') return region?.toUpperCase() === 'BR' ? 'pt_BR' : 'pt_PT';
	return TEMPLATE_LANGUAGES.find((code) => code === language.toLowerCase());
}
