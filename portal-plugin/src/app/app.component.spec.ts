import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { NoopAnimationsModule } from '@angular/platform-browser/animations';
import { provideRouter } from '@angular/router';
import { ClrCommonStringsService, commonStringsDefault } from '@clr/angular';
import { TranslateLoader, TranslateModule, TranslationObject } from '@ngx-translate/core';
import { Observable, of } from 'rxjs';
import { AppComponent } from './app.component';
import { SharedModule } from './shared/shared.module';
import { STRINGS_FOR_CLARITY } from './shared/units/clarity-strings';
import en from '../i18n/lang/en-us-lang.json';

/** The English file with a few of Clarity's strings changed, to see that they come from the file. */
const CHANGED = {
  ...en,
  CLARITY: { ...en.CLARITY, PICK_COLUMNS: 'Spalten verwalten', SELECT_ALL: 'Alle auswählen', NEXT_PAGE: 'Weiter' },
};

class FileLoader implements TranslateLoader {
  getTranslation(): Observable<TranslationObject> {
    return of(CHANGED);
  }
}

@Component({
  selector: 'hp-grid-host',
  standalone: false,
  template: `
    <clr-datagrid clrDgSelectionType="multi" [(clrDgSelected)]="selected">
      <clr-dg-column>Name</clr-dg-column>
      <clr-dg-column><ng-container *clrDgHideableColumn="{ hidden: false }">Status</ng-container></clr-dg-column>
      @for (row of rows; track row) {
        <clr-dg-row [clrDgItem]="row"
          ><clr-dg-cell>{{ row }}</clr-dg-cell
          ><clr-dg-cell>ok</clr-dg-cell></clr-dg-row
        >
      }
      <clr-dg-footer><clr-dg-pagination [clrDgPageSize]="1" [clrDgTotalItems]="2"></clr-dg-pagination></clr-dg-footer>
    </clr-datagrid>
  `,
})
class GridHostComponent {
  rows = ['a', 'b'];
  selected: string[] = [];
}

describe('Clarity strings', () => {
  it('every Clarity string has a translation key, and every key a text in en-us-lang.json', () => {
    expect(Object.keys(STRINGS_FOR_CLARITY).sort()).toEqual(Object.keys(commonStringsDefault).sort());
    const file = en.CLARITY as Record<string, string>;
    for (const key of Object.values(STRINGS_FOR_CLARITY)) {
      const text = file[key.replace(/^CLARITY\./, '')];
      expect(typeof text === 'string' && text.length > 0)
        .withContext(`${key} has a text`)
        .toBeTrue();
    }
    // The English texts are Clarity's own, with their {TOKENS} kept.
    expect(file['DATAGRID_FILTER_LABEL']).toBe(commonStringsDefault.datagridFilterLabel);
  });

  it('at start-up the app feeds Clarity from the translation file, and the datagrid shows those strings', async () => {
    TestBed.configureTestingModule({
      declarations: [AppComponent, GridHostComponent],
      imports: [
        SharedModule,
        NoopAnimationsModule,
        TranslateModule.forRoot({ loader: { provide: TranslateLoader, useClass: FileLoader } }),
      ],
      providers: [provideRouter([])],
    });
    TestBed.createComponent(AppComponent);
    await new Promise((r) => setTimeout(r));
    const strings = TestBed.inject(ClrCommonStringsService).keys;
    expect(strings.pickColumns).toBe('Spalten verwalten');
    expect(strings.selectAll).toBe('Alle auswählen');
    expect(strings.showColumns).toBe(en.CLARITY.SHOW_COLUMNS);

    const grid = TestBed.createComponent(GridHostComponent);
    grid.detectChanges();
    await grid.whenStable();
    grid.detectChanges();
    const html = (grid.nativeElement as HTMLElement).innerHTML;
    expect(html).toContain('Spalten verwalten');
    expect(html).toContain('Alle auswählen');
    expect(html).toContain('Weiter');
    expect(html).not.toContain('Manage Columns');
    expect(html).not.toContain('Select All');
  });
});
