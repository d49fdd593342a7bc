import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { delivery, type ReleaseFact } from '../../src/domain/reports/delivery.js';
import { weekOf, weeksOf } from '../../src/domain/reports/period.js';
import { median, percentile } from '../../src/domain/reports/statistics.js';
import { triage, type AttemptFact } from '../../src/domain/reports/triage.js';
import { dayNumber } from '../../src/domain/dates.js';

const CAUSES = ['fix', 'setup', 'configuration', 'data'];
const instant = fc
  .integer({ min: Date.parse('2030-01-01T00:00:00Z'), max: Date.parse('2030-03-31T23:59:59Z') })
  .map((ms) => new Date(ms).toISOString());

const attempt: fc.Arbitrary<AttemptFact> = fc.record({
  release: fc.constantFrom('R1', 'R2', 'R3'),
  cycle: fc.constantFrom('2030-01-12', null),
  item: fc.constantFrom('IR-1', 'IR-2'),
  environment: fc.constantFrom('development', 'acceptance-test'),
  result: fc.constantFrom('passed', 'failed'),
  cause: fc.constantFrom(...CAUSES, null),
  at: instant,
});

const release: fc.Arbitrary<ReleaseFact> = fc
  .record({
    name: fc.string({ minLength: 1, maxLength: 4 }),
    emergency: fc.boolean(),
    productionAt: fc.option(instant),
    rollbackAfterHours: fc.option(fc.integer({ min: 0, max: 200 })),
    elements: fc.subarray(['class:A', 'class:B', 'routine:C']),
    itemAges: fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 3 }),
  })
  .map(({ name, emergency, productionAt, rollbackAfterHours, elements, itemAges }) => ({
    name,
    emergency,
    productionAt,
    rolledBackAt:
      productionAt !== null && rollbackAfterHours !== null
        ? new Date(Date.parse(productionAt) + rollbackAfterHours * 3_600_000).toISOString()
        : null,
    elements,
    items:
      productionAt === null
        ? []
        : itemAges.map((h, i) => ({ key: `IR-${i}`, createdAt: new Date(Date.parse(productionAt) - h * 3_600_000).toISOString() })),
  }));

describe('report properties', () => {
  it('triage: per-release, per-cycle and total rows agree; every failure needs exactly one retest', () => {
    fc.assert(
      fc.property(fc.array(attempt, { maxLength: 40 }), (attempts) => {
        const r = triage(attempts, CAUSES);
        const failures = attempts.filter((a) => a.result === 'failed').length;
        expect(r.total.failures).toBe(failures);
        expect(r.total.attempts).toBe(attempts.length);
        expect(r.byRelease.reduce((s, x) => s + x.failures, 0)).toBe(failures);
        expect(r.byCycle.reduce((s, x) => s + x.failures, 0)).toBe(failures);
        for (const row of [...r.byRelease, ...r.byCycle, r.total]) {
          expect(Object.values(row.byCause).reduce((s, n) => s + n, 0)).toBe(row.failures);
          expect(row.retested + row.awaitingRetest).toBe(row.failures);
          expect(row.retestsNeeded).toBe(row.failures);
        }
      }),
    );
  });

  it('delivery: weekly counts add up to the deployments; the rate is failures over deployments; p90 ≥ median', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(release, { selector: (r) => r.name, maxLength: 12 }),
        fc.integer({ min: 0, max: 14 }),
        fc.constantFrom('UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'),
        (releases, window, timeZone) => {
          const period = { from: '2030-01-15', to: '2030-02-28', timeZone };
          const d = delivery(releases, period, window);
          expect(d.deploymentFrequency.perWeek.reduce((s, w) => s + w.releases.length, 0)).toBe(d.deploymentFrequency.count);
          expect(d.deploymentFrequency.perMonth.reduce((s, m) => s + m.releases.length, 0)).toBe(d.deploymentFrequency.count);
          if (d.deployed.length > 0) expect(d.changeFailure.rate).toBe(d.changeFailure.failures.length / d.deployed.length);
          for (const f of d.changeFailure.failures) {
            expect(d.deployed.map((x) => x.release)).toContain(f.release);
            expect(f.hoursToRestore).toBeGreaterThanOrEqual(0);
          }
          if (d.leadTime.medianHours !== null) expect(d.leadTime.p90Hours!).toBeGreaterThanOrEqual(d.leadTime.medianHours);
        },
      ),
    );
  });

  it('weeks: every date falls in the Monday-started week listed for its period', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 60 }), (start, len) => {
        const from = new Date(Date.UTC(2030, 0, 1) + start * 86_400_000).toISOString().slice(0, 10);
        const to = new Date(Date.UTC(2030, 0, 1) + (start + len) * 86_400_000).toISOString().slice(0, 10);
        const weeks = weeksOf({ from, to });
        expect(weeks).toContain(weekOf(to));
        for (const w of weeks) expect((dayNumber(w) + 3) % 7).toBe(0);
      }),
    );
  });

  it('median and percentile are values between the least and the greatest', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1 }), fc.integer({ min: 1, max: 100 }), (xs, p) => {
        const lo = Math.min(...xs);
        const hi = Math.max(...xs);
        expect(median(xs)!).toBeGreaterThanOrEqual(lo);
        expect(median(xs)!).toBeLessThanOrEqual(hi);
        expect(xs).toContain(percentile(xs, p));
      }),
    );
  });
});
