import { describe, expect, it } from 'vitest';
import {
  checkDestination,
  EgressRefusedError,
  EgressRuleError,
  parseEgressRules,
} from '../src/webhooks/egress.js';

const refused = (url: string, rules: string[] = []) => {
  try {
    checkDestination(url, parseEgressRules(rules));
  } catch (error) {
    if (error instanceof EgressRefusedError) return error.message;
    throw error;
  }
  return undefined;
};

describe('what a tenant webhook may reach', () => {
  it.each([
    ['https://127.0.0.1/', /loopback/],
    ['https://2130706433/', /127\.0\.0\.1 is a loopback/],
    ['https://0x7f.1/', /loopback/],
    ['https://[::1]:8443/', /loopback/],
    ['https://[::ffff:169.254.169.254]/', /169\.254\.169\.254 is a linkLocal/],
    ['https://169.254.169.254/latest/meta-data/', /linkLocal/],
    ['https://10.0.0.7/', /private/],
    ['https://172.16.3.4/', /private/],
    ['https://192.168.1.1/', /private/],
    ['https://100.64.0.1/', /carrierGradeNat/],
    ['https://0.0.0.0/', /unspecified/],
    ['https://[fd00::1]/', /uniqueLocal/],
    ['https://[fe80::1]/', /linkLocal/],
    ['http://hooks.example.com/', /http is not allowed/],
    ['ftp://hooks.example.com/', /ftp is not allowed/],
    ['https://user:pass@hooks.example.com/', /user name or password/],
    ['hooks.example.com', /not a URL/],
  ])('refuses %s', (url, reason) => {
    expect(refused(url)).toMatch(reason);
  });

  it('lets public https addresses through', () => {
    expect(refused('https://hooks.example.com/openkcm')).toBeUndefined();
    expect(refused('https://93.184.216.34:8443/x')).toBeUndefined();
    // Documentation ranges are not public either.
    expect(refused('https://203.0.113.9/')).toMatch(/reserved/);
  });

  it("follows the operator's exceptions exactly: host, host:port, address, range", () => {
    expect(refused('http://hooks.internal/', ['hooks.internal'])).toBeUndefined();
    expect(refused('http://hooks.internal:8080/', ['hooks.internal:8080'])).toBeUndefined();
    expect(refused('http://hooks.internal:8081/', ['hooks.internal:8080'])).toMatch(/http is not allowed/);
    expect(refused('https://10.1.2.3/', ['10.1.0.0/16'])).toBeUndefined();
    expect(refused('https://10.2.0.1/', ['10.1.0.0/16'])).toMatch(/private/);
    expect(refused('http://127.0.0.1:4000/', ['127.0.0.1:4000'])).toBeUndefined();
    expect(refused('http://127.0.0.1:4001/', ['127.0.0.1:4000'])).toMatch(/loopback/);
  });

  it('refuses an exception it cannot read, naming it', () => {
    expect(() => parseEgressRules(['10.0.0.0/33'])).toThrow(EgressRuleError);
    expect(() => parseEgressRules(['hooks.internal/path'])).toThrow(/"hooks\.internal\/path" is not/);
    expect(parseEgressRules([' ', ''])).toEqual([]);
  });
});
