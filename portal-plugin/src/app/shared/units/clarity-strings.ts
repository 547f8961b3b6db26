// Clarity's own strings (datagrid "Manage Columns", pagination, "Select All", alert and modal labels...) go
// through the translation file like every other string, as Harbor's portal does (shared.const.ts
// `stringsForClarity`, fed to `ClrCommonStringsService.localize`). The keys follow Harbor's names where
// Harbor has them. Typed against ClrCommonStrings so a Clarity upgrade that adds a string fails the build.
import { ClrCommonStrings, ClrCommonStringsService } from '@clr/angular';
import { TranslateService } from '@ngx-translate/core';
import { Observable, map } from 'rxjs';

export const STRINGS_FOR_CLARITY: Readonly<Record<keyof ClrCommonStrings, string>> = {
  open: 'CLARITY.OPEN',
  close: 'CLARITY.CLOSE',
  show: 'CLARITY.SHOW',
  hide: 'CLARITY.HIDE',
  apply: 'CLARITY.APPLY',
  cancel: 'CLARITY.CANCEL',
  expand: 'CLARITY.EXPAND',
  collapse: 'CLARITY.COLLAPSE',
  more: 'CLARITY.MORE',
  select: 'CLARITY.SELECT',
  selectAll: 'CLARITY.SELECT_ALL',
  previous: 'CLARITY.PREVIOUS',
  next: 'CLARITY.NEXT',
  current: 'CLARITY.CURRENT',
  info: 'CLARITY.INFO',
  success: 'CLARITY.SUCCESS',
  warning: 'CLARITY.WARNING',
  danger: 'CLARITY.DANGER',
  neutral: 'CLARITY.NEUTRAL',
  unknown: 'CLARITY.UNKNOWN',
  rowActions: 'CLARITY.ROW_ACTION',
  pickColumns: 'CLARITY.PICK_COLUMNS',
  showColumns: 'CLARITY.SHOW_COLUMNS',
  sortColumn: 'CLARITY.SORT_COLUMNS',
  firstPage: 'CLARITY.FIRST_PAGE',
  lastPage: 'CLARITY.LAST_PAGE',
  nextPage: 'CLARITY.NEXT_PAGE',
  previousPage: 'CLARITY.PREVIOUS_PAGE',
  currentPage: 'CLARITY.CURRENT_PAGE',
  totalPages: 'CLARITY.TOTAL_PAGE',
  filterItems: 'CLARITY.FILTER_ITEMS',
  minValue: 'CLARITY.MIN_VALUE',
  maxValue: 'CLARITY.MAX_VALUE',
  modalContentStart: 'CLARITY.MODAL_CONTENT_START',
  modalContentEnd: 'CLARITY.MODAL_CONTENT_END',
  sidePanelPin: 'CLARITY.SIDE_PANEL_PIN',
  showColumnsMenuDescription: 'CLARITY.SHOW_COLUMNS_MENU_DESCRIPTION',
  allColumnsSelected: 'CLARITY.ALL_COLUMNS_SELECTED',
  signpostToggle: 'CLARITY.SIGNPOST_TOGGLE',
  signpostClose: 'CLARITY.SIGNPOST_CLOSE',
  loading: 'CLARITY.LOADING',
  detailPaneStart: 'CLARITY.DETAIL_PANE_START',
  detailPaneEnd: 'CLARITY.DETAIL_PANE_END',
  singleSelectionAriaLabel: 'CLARITY.SINGLE_SELECTION_ARIA_LABEL',
  singleActionableAriaLabel: 'CLARITY.SINGLE_ACTIONABLE_ARIA_LABEL',
  detailExpandableAriaLabel: 'CLARITY.DETAIL_EXPANDABLE_ARIA_LABEL',
  datagridFilterAriaLabel: 'CLARITY.DATAGRID_FILTER_ARIA_LABEL',
  datagridFilterLabel: 'CLARITY.DATAGRID_FILTER_LABEL',
  datagridFilterDialogAriaLabel: 'CLARITY.DATAGRID_FILTER_DIALOG_ARIA_LABEL',
  columnSeparatorAriaLabel: 'CLARITY.COLUMN_SEPARATOR_ARIA_LABEL',
  columnSeparatorDescription: 'CLARITY.COLUMN_SEPARATOR_DESCRIPTION',
  fromLabel: 'CLARITY.FROM_LABEL',
  toLabel: 'CLARITY.TO_LABEL',
  alertCloseButtonAriaLabel: 'CLARITY.ALERT_CLOSE_BUTTON_ARIA_LABEL',
  alertNextAlertAriaLabel: 'CLARITY.ALERT_NEXT_ALERT_ARIA_LABEL',
  alertPreviousAlertAriaLabel: 'CLARITY.ALERT_PREVIOUS_ALERT_ARIA_LABEL',
  datepickerDialogLabel: 'CLARITY.DATE_PICKER_DIALOG_LABEL',
  datepickerToggleChooseDateLabel: 'CLARITY.DATE_PICKER_TOGGLE_CHOOSE_DATE_LABEL',
  datepickerToggleChangeDateLabel: 'CLARITY.DATE_PICKER_TOGGLE_CHANGE_DATE_LABEL',
  datepickerPreviousMonth: 'CLARITY.DATE_PICKER_PREVIOUS_MONTH',
  datepickerCurrentMonth: 'CLARITY.DATE_PICKER_CURRENT_MONTH',
  datepickerNextMonth: 'CLARITY.DATE_PICKER_NEXT_MONTH',
  datepickerPreviousDecade: 'CLARITY.DATE_PICKER_PREVIOUS_DECADE',
  datepickerNextDecade: 'CLARITY.DATE_PICKER_NEXT_DECADE',
  datepickerCurrentDecade: 'CLARITY.DATE_PICKER_CURRENT_DECADE',
  datepickerSelectMonthText: 'CLARITY.DATE_PICKER_SELECT_MONTH_TEXT',
  datepickerSelectYearText: 'CLARITY.DATE_PICKER_SELECT_YEAR_TEXT',
  datepickerSelectedLabel: 'CLARITY.DATE_PICKER_SELECTED_LABEL',
  stackViewChanged: 'CLARITY.STACK_VIEW_CHANGED',
  responsiveNavToggleOpen: 'CLARITY.RESPONSIVE_NAV_TOGGLE_OPEN',
  responsiveNavToggleClose: 'CLARITY.RESPONSIVE_NAV_TOGGLE_CLOSE',
  responsiveNavOverflowOpen: 'CLARITY.RESPONSIVE_NAV_OVERFLOW_OPEN',
  responsiveNavOverflowClose: 'CLARITY.RESPONSIVE_NAV_OVERFLOW_CLOSE',
  verticalNavToggle: 'CLARITY.VERTICAL_NAV_TOGGLE',
  timelineStepNotStarted: 'CLARITY.TIMELINE_STEP_NOT_STARTED',
  timelineStepCurrent: 'CLARITY.TIMELINE_STEP_CURRENT',
  timelineStepSuccess: 'CLARITY.TIMELINE_STEP_SUCCESS',
  timelineStepError: 'CLARITY.TIMELINE_STEP_ERROR',
  timelineStepProcessing: 'CLARITY.TIMELINE_STEP_PROCESSING',
  comboboxDelete: 'CLARITY.COMBOBOX_DELETE',
  comboboxSearching: 'CLARITY.COMBOBOX_SEARCHING',
  comboboxSelection: 'CLARITY.COMBOBOX_SELECTION',
  comboboxSelected: 'CLARITY.COMBOBOX_SELECTED',
  comboboxNoResults: 'CLARITY.COMBOBOX_NO_RESULTS',
  comboboxOpen: 'CLARITY.COMBOBOX_OPEN',
  comboboxSelectAll: 'CLARITY.COMBOBOX_SELECT_ALL',
  comboboxUnselectAll: 'CLARITY.COMBOBOX_UNSELECT_ALL',
  comboboxShowAll: 'CLARITY.COMBOBOX_SHOW_ALL',
  comboboxAllSelected: 'CLARITY.COMBOBOX_ALL_SELECTED',
  comboboxShowLess: 'CLARITY.COMBOBOX_SHOW_LESS',
  datagridExpandableBeginningOf: 'CLARITY.DATAGRID_EXPANDABLE_BEGINNING_OF',
  datagridExpandableEndOf: 'CLARITY.DATAGRID_EXPANDABLE_END_OF',
  datagridExpandableRowContent: 'CLARITY.DATAGRID_EXPANDABLE_ROW_CONTENT',
  datagridExpandableRowsHelperText: 'CLARITY.DATAGRID_EXPANDABLE_ROWS_HELPER_TEXT',
  wizardStep: 'CLARITY.WIZARD_STEP',
  wizardStepCurrent: 'CLARITY.WIZARD_STEP_CURRENT',
  wizardStepSuccess: 'CLARITY.WIZARD_STEP_SUCCESS',
  wizardStepError: 'CLARITY.WIZARD_STEP_ERROR',
  wizardStepnavAriaLabel: 'CLARITY.WIZARD_STEPNAV_ARIA_LABEL',
  passwordHide: 'CLARITY.PASSWORD_HIDE',
  passwordShow: 'CLARITY.PASSWORD_SHOW',
  selectedRows: 'CLARITY.SELECTED_ROWS',
  stepComplete: 'CLARITY.STEP_COMPLETE',
  stepError: 'CLARITY.STEP_ERROR',
  browse: 'CLARITY.BROWSE',
  fileCount: 'CLARITY.FILE_COUNT',
  clearFile: 'CLARITY.CLEAR_FILE',
  clearFiles: 'CLARITY.CLEAR_FILES',
  selectedTreeNode: 'CLARITY.SELECTED_TREE_NODE',
  unselectedTreeNode: 'CLARITY.UNSELECTED_TREE_NODE',
  breadcrumbsLabel: 'CLARITY.BREADCRUMBS_LABEL',
  expandBreadcrumbsLabel: 'CLARITY.EXPAND_BREADCRUMBS_LABEL',
};

/** Clarity's strings in the current language, from the translation file. */
export function translatedClarityStrings(translate: TranslateService): Observable<Partial<ClrCommonStrings>> {
  const entries = Object.entries(STRINGS_FOR_CLARITY) as [keyof ClrCommonStrings, string][];
  return translate.get(entries.map(([, key]) => key)).pipe(
    map((texts: Record<string, string>) => {
      const strings: Partial<ClrCommonStrings> = {};
      // A key missing from the file comes back as the key itself: keep Clarity's default then.
      for (const [name, key] of entries) if (texts[key] && texts[key] !== key) strings[name] = texts[key];
      return strings;
    }),
  );
}

/** Hands Clarity its strings now and whenever the language changes. */
export function localizeClarity(translate: TranslateService, commonStrings: ClrCommonStringsService): void {
  const apply = () => translatedClarityStrings(translate).subscribe((strings) => commonStrings.localize(strings));
  translate.onLangChange.subscribe(apply);
  if (translate.getCurrentLang()) apply();
}
