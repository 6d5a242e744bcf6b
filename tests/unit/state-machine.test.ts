import { describe, expect, it } from 'vitest';
import { jobSourcesFor, runOutcome, runSourcesFor } from '../../src/services/state-machine.js';

describe('run outcome', () => {
  it.each([
    [['SUCCESS', 'SUCCESS'], 'SUCCESS'],
    [['SUCCESS', 'SKIPPED'], 'SUCCESS'],
    [['SKIPPED', 'SKIPPED'], 'SUCCESS'],
    [['FAILED', 'FAILED'], 'FAILED'],
    [['SUCCESS', 'FAILED'], 'PARTIAL'],
    [['SKIPPED', 'FAILED'], 'PARTIAL'],
    [['SUCCESS', 'CANCELLED'], 'CANCELLED'],
    [['SUCCESS', 'RUNNING'], null],
    [['PENDING'], null],
  ] as const)('%j → %s', (jobs, expected) => {
    expect(runOutcome(jobs)).toBe(expected);
  });
});

describe('transitions', () => {
  it('terminal job states are final', () => {
    for (const to of ['PENDING', 'RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED', 'SKIPPED'] as const) {
      expect(jobSourcesFor(to)).not.toContain('SUCCESS');
      expect(jobSourcesFor(to)).not.toContain('FAILED');
      expect(jobSourcesFor(to)).not.toContain('CANCELLED');
    }
    expect(jobSourcesFor('RUNNING')).toEqual(['PENDING']);
    expect(jobSourcesFor('PENDING')).toEqual([]);
  });

  it('a run starts from PENDING and ends from RUNNING (or is cancelled/failed before starting)', () => {
    expect(runSourcesFor('RUNNING')).toEqual(['PENDING']);
    expect(runSourcesFor('SUCCESS')).toEqual(['RUNNING']);
    expect(runSourcesFor('PARTIAL')).toEqual(['RUNNING']);
    expect(runSourcesFor('CANCELLED')).toEqual(['PENDING', 'RUNNING']);
  });
});
