/** Page texts in the four languages Barnum ships. pt-PT is the default. */
export const LOCALES = ['pt-PT', 'en', 'pt-BR', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

export interface Messages {
	title: Record<'confirm' | 'cancel' | 'reschedule', string>;
	greeting: (name: string) => string;
	intro: Record<'confirm' | 'cancel' | 'reschedule', string>;
	/** The two lines of the appointment's date and time. */
	date: string;
	time: string;
	professional: string;
	specialty: string;
	clinic: string;
	button: Record<'confirm' | 'cancel' | 'reschedule', string>;
	/** Under the button: what pressing it does next. */
	afterButton: Record<'confirm' | 'cancel' | 'reschedule', string>;
	/** Above the details on the reschedule pages: the appointment shown is the one booked now. */
	yourAppointment: string;
	preferredLabel: string;
	preferredHint: string;
	done: Record<'confirm' | 'cancel' | 'reschedule', { title: string; body: string }>;
	already: Record<'confirm' | 'cancel' | 'reschedule', string>;
	/** Why a link can no longer act; `past`: its time has come, and the clinic has not yet said how it went. */
	closed: Record<'cancelled' | 'completed' | 'no_show' | 'past' | 'other', string>;
	contactClinic: string;
	invalidTitle: string;
	invalidBody: string;
	/** The page of a request that failed on the server's side (the database unreachable, say): nothing happened. */
	failureTitle: string;
	failureBody: string;
	pressAgain: string;
	/** A form whose text could not be stored as sent (control characters, too long): nothing happened. */
	unreadableText: string;
	sentBy: (clinic: string) => string;
	/** The server's own front page (`/`): what it is, for someone who opens its address. */
	homeTitle: string;
	homeBody: string;
	homeHint: string;
}

const ptPT: Messages = {
	title: { confirm: 'Confirmar consulta', cancel: 'Cancelar consulta', reschedule: 'Pedir nova data' },
	greeting: (name) => `Olá, ${name}`,
	intro: {
		confirm: 'Confirme, por favor, a sua consulta:',
		cancel: 'Quer cancelar esta consulta?',
		reschedule: 'Não pode vir? Peça outra data e nós contactamo-lo.',
	},
	date: 'Data',
	time: 'Hora',
	professional: 'Profissional',
	specialty: 'Especialidade',
	clinic: 'Clínica',
	button: { confirm: 'Confirmar presença', cancel: 'Cancelar consulta', reschedule: 'Pedir nova data' },
	afterButton: {
		confirm: 'A clínica recebe a sua confirmação de imediato.',
		cancel: 'O horário fica livre para outro doente. Para marcar outra consulta, contacte a clínica.',
		reschedule: 'A sua consulta mantém-se marcada até combinarmos uma nova data.',
	},
	yourAppointment: 'A sua consulta',
	preferredLabel: 'Quando lhe dá jeito? (opcional)',
	preferredHint: 'Ex.: terça-feira à tarde',
	done: {
		confirm: { title: 'Consulta confirmada', body: 'Obrigado! Esperamos por si.' },
		cancel: { title: 'Consulta cancelada', body: 'A sua consulta foi cancelada. Para marcar outra, contacte-nos.' },
		reschedule: { title: 'Pedido recebido', body: 'Vamos contactá-lo para combinar uma nova data.' },
	},
	already: {
		confirm: 'Esta consulta já está confirmada.',
		cancel: 'Esta consulta já foi cancelada.',
		reschedule: 'Já recebemos o seu pedido. Vamos contactá-lo.',
	},
	closed: {
		cancelled: 'Esta consulta foi cancelada.',
		completed: 'Esta consulta já se realizou.',
		no_show: 'A data desta consulta já passou.',
		past: 'A hora desta consulta já passou.',
		other: 'Esta consulta já não pode ser alterada por esta ligação.',
	},
	contactClinic: 'Para qualquer alteração, contacte a clínica.',
	invalidTitle: 'Ligação inválida ou expirada',
	invalidBody: 'Peça uma nova ligação à clínica ou responda à mensagem no WhatsApp.',
	failureTitle: 'Não foi possível abrir esta página',
	failureBody: 'Nada foi alterado. Tente outra vez dentro de momentos; se o problema continuar, contacte a clínica.',
	pressAgain: 'A página esteve aberta muito tempo. Carregue outra vez no botão.',
	unreadableText: 'Não conseguimos ler o texto que escreveu. Retire os caracteres especiais e carregue outra vez no botão.',
	sentBy: (clinic) => `Enviado por ${clinic}`,
	homeTitle: 'Ligações de marcação',
	homeBody: 'Este servidor abre as ligações das mensagens de WhatsApp da sua clínica ou hotel: cada ligação mostra a sua marcação e um botão para a confirmar, cancelar ou pedir outra data.',
	homeHint: 'Para usar uma ligação, abra-a a partir da mensagem que recebeu.',
};

const en: Messages = {
	title: { confirm: 'Confirm appointment', cancel: 'Cancel appointment', reschedule: 'Ask for another time' },
	greeting: (name) => `Hello, ${name}`,
	intro: {
		confirm: 'Please confirm your appointment:',
		cancel: 'Do you want to cancel this appointment?',
		reschedule: "Can't make it? Ask for another time and we'll get in touch.",
	},
	date: 'Date',
	time: 'Time',
	professional: 'With',
	specialty: 'Specialty',
	clinic: 'Clinic',
	button: { confirm: 'Confirm attendance', cancel: 'Cancel appointment', reschedule: 'Request another time' },
	afterButton: {
		confirm: 'The clinic gets your confirmation straight away.',
		cancel: 'Your time is freed for another patient. To book again, contact the clinic.',
		reschedule: 'Your appointment stays booked until we agree on a new time.',
	},
	yourAppointment: 'Your appointment',
	preferredLabel: 'When would suit you? (optional)',
	preferredHint: 'E.g. Tuesday afternoon',
	done: {
		confirm: { title: 'Appointment confirmed', body: 'Thank you! We look forward to seeing you.' },
		cancel: { title: 'Appointment cancelled', body: 'Your appointment has been cancelled. To book another, get in touch.' },
		reschedule: { title: 'Request received', body: "We'll contact you to arrange a new time." },
	},
	already: {
		confirm: 'This appointment is already confirmed.',
		cancel: 'This appointment is already cancelled.',
		reschedule: "We already have your request. We'll be in touch.",
	},
	closed: {
		cancelled: 'This appointment was cancelled.',
		completed: 'This appointment has already taken place.',
		no_show: 'The date of this appointment has passed.',
		past: 'The time of this appointment has passed.',
		other: 'This appointment can no longer be changed with this link.',
	},
	contactClinic: 'For any change, please contact the clinic.',
	invalidTitle: 'This link is no longer valid',
	invalidBody: 'Ask the clinic for a new link, or reply to the WhatsApp message.',
	failureTitle: 'This page could not be opened',
	failureBody: 'Nothing has changed. Please try again in a moment; if it keeps happening, contact the clinic.',
	pressAgain: 'This page was open for a long time. Please press the button again.',
	unreadableText: 'We could not read the text you typed. Please remove any special characters and press the button again.',
	sentBy: (clinic) => `Sent by ${clinic}`,
	homeTitle: 'Appointment links',
	homeBody: 'This server opens the links in the WhatsApp messages from your clinic or hotel: each link shows your booking and one button to confirm it, cancel it or ask for another date.',
	homeHint: 'To use a link, open it from the message you received.',
};

const ptBR: Messages = {
	...ptPT,
	title: { confirm: 'Confirmar consulta', cancel: 'Cancelar consulta', reschedule: 'Solicitar nova data' },
	intro: {
		confirm: 'Por favor, confirme sua consulta:',
		cancel: 'Deseja cancelar esta consulta?',
		reschedule: 'Não pode comparecer? Peça outra data e entraremos em contato.',
	},
	time: 'Horário',
	button: { confirm: 'Confirmar presença', cancel: 'Cancelar consulta', reschedule: 'Solicitar nova data' },
	afterButton: {
		confirm: 'A clínica recebe sua confirmação na hora.',
		cancel: 'O horário fica livre para outro paciente. Para marcar outra consulta, entre em contato com a clínica.',
		reschedule: 'Sua consulta continua marcada até combinarmos uma nova data.',
	},
	yourAppointment: 'Sua consulta',
	preferredLabel: 'Qual horário seria melhor? (opcional)',
	done: {
		confirm: { title: 'Consulta confirmada', body: 'Obrigado! Esperamos você.' },
		cancel: { title: 'Consulta cancelada', body: 'Sua consulta foi cancelada. Para marcar outra, entre em contato.' },
		reschedule: { title: 'Pedido recebido', body: 'Entraremos em contato para combinar uma nova data.' },
	},
	already: {
		confirm: 'Esta consulta já está confirmada.',
		cancel: 'Esta consulta já foi cancelada.',
		reschedule: 'Já recebemos seu pedido. Entraremos em contato.',
	},
	closed: { ...ptPT.closed, other: 'Esta consulta não pode mais ser alterada por este link.' },
	contactClinic: 'Para qualquer alteração, entre em contato com a clínica.',
	invalidTitle: 'Link inválido ou expirado',
	invalidBody: 'Peça um novo link à clínica ou responda à mensagem no WhatsApp.',
	failureTitle: 'Não foi possível abrir esta página',
	failureBody: 'Nada foi alterado. Tente de novo em instantes; se o problema continuar, entre em contato com a clínica.',
	pressAgain: 'A página ficou aberta por muito tempo. Toque no botão novamente.',
	unreadableText: 'Não conseguimos ler o texto que você digitou. Remova os caracteres especiais e toque no botão novamente.',
	sentBy: (clinic) => `Enviado por ${clinic}`,
	homeTitle: 'Links de agendamento',
	homeBody: 'Este servidor abre os links das mensagens de WhatsApp da sua clínica ou hotel: cada link mostra o seu agendamento e um botão para confirmar, cancelar ou pedir outra data.',
	homeHint: 'Para usar um link, abra-o pela mensagem que você recebeu.',
};

const es: Messages = {
	title: { confirm: 'Confirmar cita', cancel: 'Cancelar cita', reschedule: 'Pedir otra fecha' },
	greeting: (name) => `Hola, ${name}`,
	intro: {
		confirm: 'Por favor, confirme su cita:',
		cancel: '¿Desea cancelar esta cita?',
		reschedule: '¿No puede venir? Pida otra fecha y le contactaremos.',
	},
	date: 'Fecha',
	time: 'Hora',
	professional: 'Profesional',
	specialty: 'Especialidad',
	clinic: 'Clínica',
	button: { confirm: 'Confirmar asistencia', cancel: 'Cancelar cita', reschedule: 'Solicitar otra fecha' },
	afterButton: {
		confirm: 'La clínica recibe su confirmación al momento.',
		cancel: 'El horario queda libre para otro paciente. Para reservar otra cita, contacte con la clínica.',
		reschedule: 'Su cita se mantiene hasta que acordemos una nueva fecha.',
	},
	yourAppointment: 'Su cita',
	preferredLabel: '¿Cuándo le vendría bien? (opcional)',
	preferredHint: 'Ej.: martes por la tarde',
	done: {
		confirm: { title: 'Cita confirmada', body: '¡Gracias! Le esperamos.' },
		cancel: { title: 'Cita cancelada', body: 'Su cita ha sido cancelada. Para reservar otra, contáctenos.' },
		reschedule: { title: 'Solicitud recibida', body: 'Le contactaremos para acordar una nueva fecha.' },
	},
	already: {
		confirm: 'Esta cita ya está confirmada.',
		cancel: 'Esta cita ya está cancelada.',
		reschedule: 'Ya tenemos su solicitud. Le contactaremos.',
	},
	closed: {
		cancelled: 'Esta cita fue cancelada.',
		completed: 'Esta cita ya tuvo lugar.',
		no_show: 'La fecha de esta cita ya pasó.',
		past: 'La hora de esta cita ya pasó.',
		other: 'Esta cita ya no se puede cambiar con este enlace.',
	},
	contactClinic: 'Para cualquier cambio, contacte con la clínica.',
	invalidTitle: 'Enlace no válido o caducado',
	invalidBody: 'Pida un nuevo enlace a la clínica o responda al mensaje de WhatsApp.',
	failureTitle: 'No se ha podido abrir esta página',
	failureBody: 'No se ha cambiado nada. Inténtelo de nuevo en unos momentos; si el problema continúa, póngase en contacto con la clínica.',
	pressAgain: 'La página estuvo abierta mucho tiempo. Pulse el botón de nuevo.',
	unreadableText: 'No hemos podido leer el texto que escribió. Quite los caracteres especiales y pulse el botón otra vez.',
	sentBy: (clinic) => `Enviado por ${clinic}`,
	homeTitle: 'Enlaces de citas',
	homeBody: 'Este servidor abre los enlaces de los mensajes de WhatsApp de su clínica u hotel: cada enlace muestra su reserva y un botón para confirmarla, cancelarla o pedir otra fecha.',
	homeHint: 'Para usar un enlace, ábralo desde el mensaje que recibió.',
};

export const MESSAGES: Record<Locale, Messages> = { 'pt-PT': ptPT, en, 'pt-BR': ptBR, es };

function supported(tag: string | null | undefined): Locale | undefined {
	if (!tag) return undefined;
	const exact = LOCALES.find((l) => l.toLowerCase() === tag.toLowerCase());
	if (exact) return exact;
	const language = tag.split('-')[0].toLowerCase();
	if (language === 'pt') return tag.toLowerCase() === 'pt-br' ? 'pt-BR' : 'pt-PT';
	return LOCALES.find((l) => l.toLowerCase() === language);
}

/**
 * The page's language: the patient's own (when the clinic stored one), else the first language
 * of the browser's Accept-Language that Barnum speaks, else the clinic's default.
 */
export function chooseLocale(patientLocale: string | null | undefined, acceptLanguage: string | undefined, clinicDefault: string): Locale {
	return supported(patientLocale) ?? browserLocale(acceptLanguage) ?? supported(clinicDefault) ?? 'pt-PT';
}

// Browsers send a handful of distinct Accept-Language values: each is parsed once. Bounded, so
// that made-up headers cannot grow it without limit.
const browserLocales = new Map<string, Locale | null>();

function browserLocale(acceptLanguage: string | undefined): Locale | undefined {
	if (!acceptLanguage) return undefined;
	let found = browserLocales.get(acceptLanguage);
	if (found === undefined) {
		found = parseAcceptLanguage(acceptLanguage) ?? null;
		if (browserLocales.size >= 500) browserLocales.clear();
		browserLocales.set(acceptLanguage, found);
	}
	return found ?? undefined;
}

function parseAcceptLanguage(acceptLanguage: string): Locale | undefined {
	const ranked = acceptLanguage
		.split(',')
		.map((part) => {
			const [tag, ...params] = part.trim().split(';');
			const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
			return { tag, q: q ? Number(q.slice(2)) : 1 };
		})
		.filter((entry) => entry.tag && entry.tag !== '*' && entry.q > 0)
		.sort((a, b) => b.q - a.q);
	for (const entry of ranked) {
		const match = supported(entry.tag);
		if (match) return match;
	}
	return undefined;
}
