import { describe, expect, it } from 'vitest';
import { SERVICE_NAME, hostArch, osType, resourceAttributes } from '../../../src/telemetry/resource';

describe('resourceAttributes', () => {
  it('always carries service.name, service.version and service.instance.id', () => {
    expect(resourceAttributes({ extensionVersion: '1.2.3', instanceId: 'id-1' })).toEqual({
      'service.name': SERVICE_NAME,
      'service.version': '1.2.3',
      'service.instance.id': 'id-1',
    });
  });

  it('adds browser, OS and host attributes by their semantic-convention names', () => {
    const attrs = resourceAttributes({
      extensionVersion: '1.0.0',
      instanceId: 'id',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/156.0.0.0',
      brands: [
        { brand: 'Chromium', version: '156' },
        { brand: 'Microsoft Edge', version: '156' },
      ],
      platform: 'Windows',
      mobile: false,
      language: 'de-DE',
      architecture: 'x86',
      bitness: '64',
      platformVersion: '15.0.0',
    });
    expect(attrs).toMatchObject({
      'user_agent.original': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/156.0.0.0',
      'browser.brands': ['Chromium 156', 'Microsoft Edge 156'],
      'browser.platform': 'Windows',
      'browser.mobile': false,
      'browser.language': 'de-DE',
      'os.type': 'windows',
      'os.version': '15.0.0',
      'host.arch': 'amd64',
    });
  });

  it('leaves out what is unknown or empty rather than guessing', () => {
    const attrs = resourceAttributes({ extensionVersion: '1', instanceId: 'i', userAgent: '', brands: [], platform: 'Chrome OS' });
    expect(Object.keys(attrs).sort()).toEqual(['browser.platform', 'service.instance.id', 'service.name', 'service.version']);
  });
});

describe('osType / hostArch', () => {
  it('maps UA-CH platforms onto the os.type enum', () => {
    expect(osType('macOS')).toBe('darwin');
    expect(osType('Linux')).toBe('linux');
    expect(osType('Windows')).toBe('windows');
    expect(osType('Android')).toBeUndefined();
    expect(osType(undefined)).toBeUndefined();
  });

  it('maps architecture and bitness onto the host.arch enum', () => {
    expect(hostArch('x86', '64')).toBe('amd64');
    expect(hostArch('x86', '32')).toBe('x86');
    expect(hostArch('arm', '64')).toBe('arm64');
    expect(hostArch('arm', '32')).toBe('arm32');
    expect(hostArch('arm', '')).toBeUndefined();
    expect(hostArch('', '64')).toBeUndefined();
  });
});
