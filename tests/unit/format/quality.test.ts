import { describe, expect, it } from 'vitest';
import { QUALITY_THRESHOLDS, displayJitter, displayLoss, displayMos, displayRtt } from '../../../src/format/quality';
import { FORMAT_STRINGS as t } from '../../../extension/popup/strings';

describe('quality thresholds (docs/architecture.md §6)', () => {
  it('are the Twilio numbers', () => {
    expect(QUALITY_THRESHOLDS).toEqual({ rttMs: 400, jitterMs: 30, packetLossPct: 1, mos: 3 });
  });
});

describe('displayRtt', () => {
  it('shows whole milliseconds and flags only above 400 ms, never reading as 400', () => {
    expect(displayRtt(120.4, t)).toEqual({ value: '120 ms' });
    expect(displayRtt(400, t)).toEqual({ value: '400 ms' });
    expect(displayRtt(401, t)).toEqual({ value: '401 ms', warn: 'Above 400 ms' });
    expect(displayRtt(1520, t)).toEqual({ value: '1,520 ms', warn: 'Above 400 ms' });
    expect(displayRtt(400.3, t)).toEqual({ value: '401 ms', warn: 'Above 400 ms' });
  });
  it('shows a missing value without a flag', () => {
    expect(displayRtt(null, t)).toEqual({ value: '—' });
    expect(displayRtt(undefined, t)).toEqual({ value: '—' });
  });
});

describe('displayJitter', () => {
  it('keeps one fraction digit below 10 ms and flags above 30 ms', () => {
    expect(displayJitter(4.56, t)).toEqual({ value: '4.6 ms' });
    expect(displayJitter(12.4, t)).toEqual({ value: '12 ms' });
    expect(displayJitter(30, t)).toEqual({ value: '30 ms' });
    expect(displayJitter(31, t)).toEqual({ value: '31 ms', warn: 'Above 30 ms' });
    expect(displayJitter(30.2, t)).toEqual({ value: '31 ms', warn: 'Above 30 ms' });
  });
});

describe('displayLoss', () => {
  it('shows percent with a space and flags above 1 %', () => {
    expect(displayLoss(0, t)).toEqual({ value: '0 %' });
    expect(displayLoss(0.44, t)).toEqual({ value: '0.4 %' });
    expect(displayLoss(1, t)).toEqual({ value: '1 %' });
    expect(displayLoss(1.2, t)).toEqual({ value: '1.2 %', warn: 'Above 1 %' });
    expect(displayLoss(12.7, t)).toEqual({ value: '13 %', warn: 'Above 1 %' });
    expect(displayLoss(1.04, t)).toEqual({ value: '1.1 %', warn: 'Above 1 %' });
  });
});

describe('displayMos', () => {
  it('always has one decimal and flags below 3.0, never showing a flagged value as 3.0', () => {
    expect(displayMos(4.3, t)).toEqual({ value: '4.3' });
    expect(displayMos(4, t)).toEqual({ value: '4.0' });
    expect(displayMos(3, t)).toEqual({ value: '3.0' });
    expect(displayMos(4.34, t)).toEqual({ value: '4.3' });
    expect(displayMos(3.04, t)).toEqual({ value: '3.0' });
    expect(displayMos(2.96, t)).toEqual({ value: '2.9', warn: 'Below 3.0' });
    expect(displayMos(2.5, t)).toEqual({ value: '2.5', warn: 'Below 3.0' });
    expect(displayMos(null, t)).toEqual({ value: '—' });
  });
});
