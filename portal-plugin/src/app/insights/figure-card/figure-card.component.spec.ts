import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { FigureCardComponent } from './figure-card.component';

@Component({
  template: `<hp-figure-card figureId="figure-queue" label="Queued">{{ queued }}</hp-figure-card>`,
  standalone: false,
})
class HostComponent {
  queued = 2;
}

describe('FigureCardComponent', () => {
  it('shows the projected number under its id, with its label', () => {
    TestBed.configureTestingModule({ declarations: [FigureCardComponent, HostComponent] });
    const fixture = TestBed.createComponent(HostComponent);
    fixture.detectChanges();
    const card: HTMLElement = fixture.nativeElement.querySelector('hp-figure-card');
    expect(card.classList).toContain('figure-card');
    expect(card.querySelector('#figure-queue')!.textContent!.trim()).toBe('2');
    expect(card.querySelector('.figure-label')!.textContent!.trim()).toBe('Queued');

    fixture.componentInstance.queued = 3;
    fixture.detectChanges();
    expect(card.querySelector('#figure-queue')!.textContent!.trim()).toBe('3');
  });
});
