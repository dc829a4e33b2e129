import { describe, expect, it } from 'vitest';
import { countItems, mergeRequests, rejectedInAnswer } from '../../../src/telemetry/otlp-json';

const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'softphone-guard' } }] };
const scope = { name: 'softphone-guard', version: '1.0.0' };
const logs = (...bodies: string[]): string =>
  JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ scope, logRecords: bodies.map((b) => ({ body: { stringValue: b } })) }] }] });

describe('mergeRequests', () => {
  it('merges requests of one resource and scope into one, in order', () => {
    const merged = JSON.parse(mergeRequests('logs', [logs('a'), logs('b', 'c')]));
    expect(merged.resourceLogs).toHaveLength(1);
    expect(merged.resourceLogs[0].resource).toEqual(resource);
    expect(merged.resourceLogs[0].scopeLogs).toHaveLength(1);
    expect(merged.resourceLogs[0].scopeLogs[0].logRecords.map((r: { body: { stringValue: string } }) => r.body.stringValue)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('keeps different resources apart', () => {
    const other = JSON.stringify({ resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ scope, logRecords: [{}] }] }] });
    const merged = JSON.parse(mergeRequests('logs', [logs('a'), other, logs('b')]));
    expect(merged.resourceLogs).toHaveLength(2);
    expect(countItems('logs', merged)).toBe(3);
  });

  it('merges metrics by resource and scope', () => {
    const m = (name: string): string =>
      JSON.stringify({
        resourceMetrics: [
          { resource, scopeMetrics: [{ scope, metrics: [{ name, gauge: { dataPoints: [{ asDouble: 1 }, { asDouble: 2 }] } }] }] },
        ],
      });
    const merged = JSON.parse(mergeRequests('metrics', [m('a'), m('b')]));
    expect(merged.resourceMetrics[0].scopeMetrics[0].metrics.map((x: { name: string }) => x.name)).toEqual(['a', 'b']);
    expect(countItems('metrics', merged)).toBe(4);
  });

  it('throws on a body that is not JSON', () => {
    expect(() => mergeRequests('logs', ['{'])).toThrow(SyntaxError);
  });
});

describe('countItems', () => {
  it('counts data points of every metric type', () => {
    const request = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                { histogram: { dataPoints: [{}, {}, {}] } },
                { sum: { dataPoints: [{}] } },
                { exponentialHistogram: { dataPoints: [{}] } },
                { summary: { dataPoints: [] } },
              ],
            },
          ],
        },
      ],
    };
    expect(countItems('metrics', request)).toBe(5);
    expect(countItems('logs', null)).toBe(0);
  });
});

describe('rejectedInAnswer', () => {
  it('reads OTLP partial success, int64 as string or number', () => {
    expect(rejectedInAnswer('logs', '{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"x"}}')).toBe(3);
    expect(rejectedInAnswer('metrics', '{"partialSuccess":{"rejectedDataPoints":2}}')).toBe(2);
    expect(rejectedInAnswer('metrics', '{"partialSuccess":{"rejectedLogRecords":2}}')).toBe(0);
    expect(rejectedInAnswer('logs', '')).toBe(0);
    expect(rejectedInAnswer('logs', '{}')).toBe(0);
    expect(rejectedInAnswer('logs', 'not json')).toBe(0);
  });
});
