import { describe, expect, it } from 'vitest';
import { parseAllowList, refusalFor, refusalForName } from './webhook-target-policy.js';

const none = parseAllowList('');
const at = (hostname: string, port = 443) => ({ hostname, port });

describe('the webhook target policy', () => {
  it('lets public unicast addresses through', () => {
    for (const address of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '8.8.8.8']) expect(refusalFor(none, at('app.example'), address), address).toBeNull();
  });

  it('refuses every special-purpose range, IPv4-mapped forms included', () => {
    for (const address of [
      '127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254',
      '100.64.0.1', '100.100.100.200', '224.0.0.1', '255.255.255.255', '0.0.0.0', 'fd00::1', 'fc00::1', 'fe80::1', 'ff02::1', '::',
      '64:ff9b::7f00:1', '2002:7f00:1::1',
    ]) {
      expect(refusalFor(none, at('app.example'), address), address).toMatch(/^refused: /);
    }
  });

  it('refuses metadata names and localhost before any lookup', () => {
    for (const name of ['metadata.google.internal', 'METADATA.google.internal.', 'localhost', 'api.localhost']) expect(refusalForName(none, at(name)), name).toMatch(/^refused: /);
    expect(refusalForName(none, at('app.example'))).toBeNull();
  });

  it('allows what the setting lists: host, host:port, IPv6 with port, CIDR', () => {
    const list = parseAllowList(' 127.0.0.1:3001 , app.internal, [::1]:8080, 10.0.0.0/8 ');
    expect(refusalFor(list, at('127.0.0.1', 3001), '127.0.0.1')).toBeNull();
    expect(refusalFor(list, at('127.0.0.1', 3002), '127.0.0.1')).toMatch(/^refused/);
    expect(refusalFor(list, at('app.internal', 80), '192.168.0.9')).toBeNull();
    expect(refusalFor(list, at('::1', 8080), '::1')).toBeNull();
    expect(refusalFor(list, at('svc', 80), '10.9.8.7')).toBeNull();
    expect(refusalFor(list, at('svc', 80), '::ffff:10.9.8.7')).toBeNull();
    expect(refusalFor(list, at('svc', 80), '11.0.0.1')).toBeNull();
    expect(refusalFor(list, at('svc', 80), '192.168.0.9')).toMatch(/^refused/);
  });

  it('refuses a setting entry that is neither host[:port] nor CIDR, naming it', () => {
    for (const entry of ['10.0.0.0/33', 'http://app', 'app:99999', 'a b', '/8']) expect(() => parseAllowList(entry), entry).toThrow(entry);
  });
});
