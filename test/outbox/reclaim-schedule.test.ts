import { ReclaimSchedule } from '../../core/outbox/reclaim-schedule';

// When a consumer's claim looks for expired leases: always unless it is claiming full batches back
// to back, and then at least every 5 s (or every lease time, if that is shorter).

test('an idle or partly busy consumer looks on every claim', () => {
	const schedule = new ReclaimSchedule(300);
	expect(schedule.next(0)).toBe(true);
	schedule.claimed(0, 50);
	expect(schedule.next(1)).toBe(true);
	schedule.claimed(49, 50);
	expect(schedule.next(2)).toBe(true);
});

test('a consumer claiming full batches looks every 5 seconds, and at once when a batch comes back short', () => {
	const schedule = new ReclaimSchedule(300);
	expect(schedule.next(1_000)).toBe(true);
	schedule.claimed(50, 50);
	expect(schedule.next(1_001)).toBe(false);
	schedule.claimed(50, 50);
	expect(schedule.next(5_999)).toBe(false);
	schedule.claimed(50, 50);
	expect(schedule.next(6_000)).toBe(true);
	schedule.claimed(50, 50);
	expect(schedule.next(6_001)).toBe(false);
	schedule.claimed(3, 50);
	expect(schedule.next(6_002)).toBe(true);
});

test('with a lease shorter than 5 seconds it looks at least once per lease time', () => {
	const schedule = new ReclaimSchedule(2);
	expect(schedule.next(0)).toBe(true);
	schedule.claimed(1, 1);
	expect(schedule.next(1_999)).toBe(false);
	schedule.claimed(1, 1);
	expect(schedule.next(2_000)).toBe(true);
});

test('after a claim that took over expired leases, the next one looks again', () => {
	const schedule = new ReclaimSchedule(300);
	expect(schedule.next(0)).toBe(true);
	schedule.claimed(1, 1, 1);
	expect(schedule.next(1)).toBe(true);
	schedule.claimed(1, 1, 0);
	expect(schedule.next(2)).toBe(false);
});
