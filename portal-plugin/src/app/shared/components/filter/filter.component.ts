import { Component, EventEmitter, Input, OnDestroy, OnInit, Output } from '@angular/core';
import { Subject, Subscription, debounceTime, distinctUntilChanged } from 'rxjs';

/** The search box Harbor puts at the right of its grids (hbr-filter). */
@Component({
  selector: 'hp-filter',
  templateUrl: './filter.component.html',
  styleUrls: ['./filter.component.scss'],
  standalone: false,
})
export class FilterComponent implements OnInit, OnDestroy {
  @Input() filterPlaceholder = '';
  @Input() currentValue = '';
  @Input() withDivider = false;
  @Input() inputId = '';
  @Output() filterEvt = new EventEmitter<string>();

  private terms = new Subject<string>();
  private subscription?: Subscription;

  ngOnInit(): void {
    this.subscription = this.terms
      .pipe(debounceTime(300), distinctUntilChanged())
      .subscribe((t) => this.filterEvt.emit(t));
  }

  ngOnDestroy(): void {
    this.subscription?.unsubscribe();
  }

  valueChange(value: string): void {
    this.currentValue = value;
    this.terms.next(value.trim());
  }
}
