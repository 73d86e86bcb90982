import { describe, expect, it } from 'vitest';
import { hostResultsText, writesBackToHost } from './host-results.js';

describe('host results', () => {
  it('are expected only of an experiment whose baseline pinned a task source', () => {
    expect(writesBackToHost({ taskSource: { sourceId: 'd', version: 'v1' } })).toBe(true);
    expect(writesBackToHost({ taskSource: { sourceId: 'd' } })).toBe(false);
    expect(writesBackToHost({ taskSource: null })).toBe(false);
    expect(writesBackToHost({})).toBe(false);
  });

  it('read as the link, as not written yet, or as the failure the server will retry', () => {
    const url = 'http://phoenix/datasets/d/compare?experimentId=e';
    expect(hostResultsText({ url, current: true, error: null })).toBe(`results in the host: ${url}`);
    expect(hostResultsText({ url, current: false, error: null })).toBe(`results in the host: ${url} (updating to the latest results)`);
    expect(hostResultsText({ url, current: true, error: 'an older failure' })).toBe(`results in the host: ${url}`);
    expect(hostResultsText({ url: null, current: false, error: null })).toMatch(/^not written to the host yet/);
    expect(hostResultsText({ url: null, current: false, error: '503 from Phoenix' })).toBe(
      'writing the results to the host failed (the server tries again): 503 from Phoenix',
    );
    expect(hostResultsText(undefined)).toBeNull();
  });
});
