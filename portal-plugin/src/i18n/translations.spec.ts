import { REASON_CODES } from '@harbor-patching/shared/api/reasons';
import { EXCLUSION_REASON } from '../app/api/models/exclusion-reason-array';
import { TASK_REASON } from '../app/api/models/task-reason-array';
import enUs from './lang/en-us-lang.json';

/** Every language the portal ships. */
const LANGUAGES: Record<string, unknown> = { 'en-us': enUs };

interface ReasonTexts {
  REASON: Record<string, string>;
  OUTCOME: { COUNT: Record<string, string> };
}

describe('reason translations', () => {
  it("cover the API document's reason codes, as the generated client has them", () => {
    const client = [...new Set<string>([...TASK_REASON, ...EXCLUSION_REASON])].sort();
    expect([...REASON_CODES].sort() as string[]).toEqual(client);
  });

  for (const [language, file] of Object.entries(LANGUAGES)) {
    it(`explain every reason code of the API document, and only those (${language})`, () => {
      const texts = file as ReasonTexts;
      for (const code of REASON_CODES) {
        expect(texts.REASON[code]?.length ?? 0)
          .withContext(`${language} REASON.${code}`)
          .toBeGreaterThan(10);
        expect(texts.OUTCOME.COUNT[code] ?? '')
          .withContext(`${language} OUTCOME.COUNT.${code}`)
          .toContain('{{n}}');
      }
      const codes = new Set<string>(REASON_CODES);
      expect(Object.keys(texts.REASON).filter((k) => !codes.has(k))).toEqual([]);
      expect(Object.keys(texts.OUTCOME.COUNT).filter((k) => !codes.has(k) && k !== 'OTHER')).toEqual([]);
    });
  }
});
