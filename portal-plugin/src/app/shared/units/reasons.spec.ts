import { reasonView } from './reasons';
import { severityCounts } from '../components/vulnerability-summary/vulnerability-summary.component';
import { durationText, repositoryPathSegment, repositoryNameWithoutProject } from './utils';

describe('reasons and summaries', () => {
  it("reads the adapter's code in reason with its sentence in status_message", () => {
    const v = reasonView({ reason: 'NOTHING_FIXABLE', status_message: 'No fixable vulnerability at or above High.' });
    expect(v.key).toBe('REASON.NOTHING_FIXABLE');
    expect(v.detail).toBe('No fixable vulnerability at or above High.');
  });

  it('reads "CODE: details" and unknown codes', () => {
    expect(reasonView({ reason: 'TIMEOUT: after 600 s' })).toEqual({
      key: 'REASON.TIMEOUT',
      detail: 'after 600 s',
      code: 'TIMEOUT',
    });
    const unknown = reasonView({ reason: 'SOMETHING_NEW' });
    expect(unknown.key).toBeNull();
    expect(unknown.detail).toBe('SOMETHING_NEW');
    expect(reasonView({ reason: null }).key).toBeNull();
  });

  it("counts by severity from Harbor's summary shape and the flat shape", () => {
    const harbor = severityCounts({ total: 5, fixable: 3, summary: { Critical: 1, High: 2, Low: 2 } });
    expect(harbor.total).toBe(5);
    expect(harbor.fixable).toBe(3);
    expect(harbor.bySeverity).toEqual([
      { severity: 'Critical', count: 1 },
      { severity: 'High', count: 2 },
      { severity: 'Low', count: 2 },
    ]);
    const flat = severityCounts({ critical: 0, high: 4, medium: 1 });
    expect(flat.total).toBe(5);
    expect(flat.fixable).toBeNull();
  });

  it('encodes repository names for Harbor paths and formats durations', () => {
    expect(repositoryNameWithoutProject('library/team/app', 'library')).toBe('team/app');
    expect(repositoryPathSegment('team/app')).toBe('team%252Fapp');
    expect(durationText('2026-01-01T00:00:00Z', '2026-01-01T00:01:05Z')).toBe('1m 5s');
    expect(durationText(null, null)).toBe('-');
  });
});
