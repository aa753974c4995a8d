/** The longest a consumer claiming full batches back to back goes without looking for expired leases. */
const RECLAIM_EVERY_MS = 5_000;

/**
 * When a consumer's claim looks for expired leases (events whose consumer died). An idle or partly
 * busy consumer always looks; one that claims full batches back to back looks every few seconds
 * (at most once per lease time), and on every claim while it keeps finding some: a dead consumer's
 * events are taken over at most that long after their lease ends, and the claims in between skip
 * a search that almost never finds anything.
 */
export class ReclaimSchedule {
	private busy = false;
	private lookedAt = Number.NEGATIVE_INFINITY;
	private readonly everyMs: number;

	constructor(leaseSeconds: number) {
		this.everyMs = Math.min(RECLAIM_EVERY_MS, leaseSeconds * 1000);
	}

	/** Whether the claim about to be made should look (and, if so, it counts as looking now). */
	next(now = Date.now()): boolean {
		if (this.busy && now - this.lookedAt < this.everyMs) return false;
		this.lookedAt = now;
		return true;
	}

	/**
	 * What the claim returned: a full batch means more is waiting and claims follow back to back;
	 * expired leases taken over mean there may be more of them, so the next claim looks again.
	 */
	claimed(events: number, batchSize: number, reclaimed = 0): void {
		this.busy = events === batchSize;
		if (reclaimed > 0) this.lookedAt = Number.NEGATIVE_INFINITY;
	}
}
