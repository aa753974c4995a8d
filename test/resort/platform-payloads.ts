/**
 * Webhook bodies as each booking platform documents them (docs/resort.md cites the pages), with
 * the fields Barnum reads and a few it does not, so the adapters are tested against the shape the
 * platforms really send, not against Barnum's own.
 */

export const PROPERTY = { mews: 'ent-7f2c', hostaway: 40160, channex: 'chx-prop-1', beds24: 1234 };

/** Mews general webhook: the events of a moment, with the reservations and customers they name. */
export function mews(reservations: Array<{ id: string; state: string; start?: string; end?: string; phone?: string; updated?: string }>) {
	return {
		EnterpriseId: PROPERTY.mews,
		IntegrationId: 'c8bee838-7fb1-4f4e-8fac-ac87008b2f90',
		Events: reservations.map((r) => ({ Discriminator: 'ServiceOrderUpdated', Value: { Id: r.id } })),
		Entities: {
			ServiceOrders: reservations.map((r) => ({
				Id: r.id,
				State: r.state,
				Number: `M-${r.id.slice(-4)}`,
				StartUtc: r.start ?? '2031-07-10T14:00:00Z',
				EndUtc: r.end ?? '2031-07-14T10:00:00Z',
				UpdatedUtc: r.updated ?? new Date().toISOString(),
				AdultCount: 2,
				ChildCount: 0,
				CustomerId: `cust-${r.id}`,
				Origin: 'Connector',
			})),
			Customers: reservations.map((r) => ({
				Id: `cust-${r.id}`,
				FirstName: 'Ana',
				LastName: 'Costa',
				Phone: r.phone ?? '+351 912 345 678',
				LanguageCode: 'pt-PT',
				Email: 'ana@example.com',
			})),
		},
	};
}

/** Hostaway unified webhook: reservation.created / reservation.updated with the reservation object. */
export function hostaway(event: 'reservation.created' | 'reservation.updated', id: number, data: Record<string, unknown> = {}) {
	return {
		object: 'reservation',
		event,
		accountId: 10450,
		data: {
			id,
			listingMapId: PROPERTY.hostaway,
			channelId: 2005,
			channelName: 'direct',
			channelReservationId: `HA-${id}`,
			// Hostaway writes its times as "YYYY-MM-DD HH:MM:SS", in UTC: booked a day ago.
			reservationDate: new Date(Date.now() - 86_400_000).toISOString().slice(0, 19).replace('T', ' '),
			guestName: 'Ana Costa',
			guestFirstName: 'Ana',
			guestLastName: 'Costa',
			guestEmail: 'ana@example.com',
			numberOfGuests: 2,
			adults: 2,
			children: null,
			arrivalDate: '2031-07-10',
			departureDate: '2031-07-14',
			nights: 4,
			phone: '+351912345678',
			totalPrice: 640,
			currency: 'EUR',
			status: 'new',
			...data,
		},
	};
}

/** Channex booking webhook with "send data" on: the revision travels in `payload`. */
export function channex(event: 'booking_new' | 'booking_modification' | 'booking_cancellation' | 'ari', bookingId: string, revision: string, data: Record<string, unknown> | null = {}) {
	return {
		event,
		property_id: PROPERTY.channex,
		user_id: 'u-1',
		timestamp: new Date().toISOString(),
		payload:
			data === null
				? { booking_id: bookingId, revision_id: revision, property_id: PROPERTY.channex }
				: {
						booking_id: bookingId,
						revision_id: revision,
						property_id: PROPERTY.channex,
						status: event === 'booking_cancellation' ? 'cancelled' : event === 'booking_modification' ? 'modified' : 'new',
						arrival_date: '2031-07-10',
						departure_date: '2031-07-14',
						amount: '640.00',
						currency: 'EUR',
						ota_name: 'BookingCom',
						ota_reservation_code: `BDC-${bookingId}`,
						occupancy: { adults: 2, children: 0, infants: 0 },
						customer: { name: 'Ana', surname: 'Costa', phone: '+351912345678', mail: 'ana@example.com', language: 'pt' },
						...data,
					},
	};
}

/** Beds24 booking webhook, version 2: the booking in API v2's format. */
export function beds24(id: number, booking: Record<string, unknown> = {}) {
	return {
		timeStamp: new Date().toISOString(),
		booking: {
			id,
			propertyId: PROPERTY.beds24,
			roomId: 5678,
			status: 'confirmed',
			arrival: '2031-07-10',
			departure: '2031-07-14',
			numAdult: 2,
			numChild: 0,
			title: 'Mrs',
			firstName: 'Ana',
			lastName: 'Costa',
			email: 'ana@example.com',
			mobile: '+351912345678',
			lang: 'pt',
			price: 640,
			referer: 'Direct',
			modifiedTime: new Date().toISOString(),
			...booking,
		},
	};
}
