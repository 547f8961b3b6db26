import { policyDraftFor } from './policy-list.component';

describe('the policy draft from the backlog', () => {
  it('names the policy after the repository, filters on it and keeps the severity', () => {
    const draft = policyDraftFor('library/team/Web_app', 'Critical');
    expect(draft.id).toBeUndefined();
    expect(draft.name).toBe('patch-library-team-web-app');
    expect(draft.filters).toEqual([
      { type: 'repository', value: 'library/team/Web_app', decoration: 'matches', syntax: 'glob' },
    ]);
    expect(draft.severity_threshold).toBe('Critical');
    expect(draft.enabled).toBeTrue();
  });

  it('falls back to High for an unknown severity', () => {
    expect(policyDraftFor('library/app', 'None').severity_threshold).toBe('High');
    expect(policyDraftFor('library/app', null).severity_threshold).toBe('High');
  });
});
