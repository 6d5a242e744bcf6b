import { describe, expect, it } from 'vitest';
import { commonAffixes } from '../../src/triage/affixes.js';
import { TemplateMiner } from '../../src/triage/drain.js';

describe('commonAffixes', () => {
  it('keeps a shared key or bracket, never part of a word, a digit or a mask', () => {
    expect(commonAffixes('user=root', 'user=guest')).toEqual(['user=', '']);
    expect(commonAffixes('(a.example.net)', '(b.org)')).toEqual(['(', ')']);
    expect(commonAffixes("'/udev/vcsa2'", "'/udev/vcs2'")).toEqual(["'/udev/", "'"]);
    expect(commonAffixes('guest', 'gadget')).toBeNull();
    expect(commonAffixes('id=<NUM>', 'id=<HEX>')).toEqual(['id=', '']);
    expect(commonAffixes('a1=x', 'a1=y')).toBeNull(); // edges hold no digits
  });

  it('never cuts into a redaction marker: its brackets are part of the parameter', () => {
    expect(commonAffixes('rhost=[REDACTED_IP].dsl.example.net', 'rhost=[REDACTED_IP]')).toEqual(['rhost=', '']);
    expect(commonAffixes('rhost=[REDACTED_IP]', 'rhost=[REDACTED_EMAIL]')).toEqual(['rhost=', '']);
    expect(commonAffixes('(a.[REDACTED_IP])', '(b[REDACTED_IP])')).toEqual(['(', ')']);
    expect(commonAffixes('[REDACTED_IP]:', 'host:')).toEqual(['', ':']);
    // a bracket that opens no marker is still an edge
    expect(commonAffixes('[a.example]', '[b.org]')).toEqual(['[', ']']);
  });
});

// wordValues 0: every differing position is a wildcard at once (words would first be kept as variants)
describe('TemplateMiner wildcards with literal edges', () => {
  it('mines `user=<*>` and `(<*>)`, and shrinks the edges when a line lacks them', () => {
    const m = new TemplateMiner({ similarityThreshold: 0.5, wordValues: 0 });
    m.add('login failed for host (a.example.net) user=root');
    const c = m.add('login failed for host (b.org) user=guest');
    expect(c.template).toBe('login failed for host (<*>) user=<*>');
    m.add('login failed for host b.org, user=admin');
    expect(c.template).toBe('login failed for host <*> user=<*>');
    expect(m.size).toBe(1);
  });

  it('matches as before: an edged wildcard takes any token', () => {
    const m = new TemplateMiner({ wordValues: 0 });
    m.add('state key=alpha ok');
    m.add('state key=beta ok');
    expect(m.add('state other ok').template).toBe('state <*> ok');
    expect(m.size).toBe(1);
  });

  it('merges templates with edged wildcards as wildcards', () => {
    const a = new TemplateMiner({ wordValues: 0 });
    a.add('session opened for user=alice by sshd');
    const t = a.add('session opened for user=bob by sshd');
    const merged = new TemplateMiner();
    merged.merge(t);
    const again = merged.add('session opened for user=carol by sshd');
    expect(again.template).toBe('session opened for user=<*> by sshd');
    expect(merged.size).toBe(1);
  });

  it('keeps the edges once word variants fold (`user=<*>` after a fourth name)', () => {
    const m = new TemplateMiner({ similarityThreshold: 0.5 });
    for (const u of ['root', 'guest', 'test']) m.add(`authentication failure; rhost=h user=${u}`);
    expect(m.clusters().map((c) => c.template)).toContain('authentication failure; rhost=h user=guest');
    m.add('authentication failure; rhost=h user=admin');
    expect(m.clusters().map((c) => c.template)).toEqual(['authentication failure; rhost=h user=<*>']);
  });
});
