import { describe, expect, it } from 'vitest';
import { isUnit, isWordValue, wordsApart } from '../../src/triage/word-values.js';

describe('isWordValue: which differing tokens may stay literal', () => {
  it('takes plain words, keys and brackets of words, one closing mark, one digit after a letter', () => {
    for (const w of ['SPP', 'WindowsUpdateAgent.', 'user=root', '(usable)', 'TASK_ABORT', 'job-conf', 'Begin', 'failures;', 'hub,', 'LEADING:', 'isOverlap:false,', 'eth0', 'ssh2', 'scip0']) {
      expect(isWordValue(w), w).toBe(true);
    }
  });

  it('refuses a second digit or a leading one, masks, paths, addresses, quotes, two closing marks and long runs', () => {
    for (const v of ['u-1001', 'bglio716', 'U11', 'x86', '2x', '0', '<*>', '<NUM>', '/udev/vcs', '10.0.0.1', 'a.b', "'x'", 'x..', 'ok!', '', '-', '=()', 'a'.repeat(65)]) {
      expect(isWordValue(v), v).toBe(false);
    }
  });

  it('refuses month and weekday names (parts of a time), not words that start like them', () => {
    for (const t of ['Jun', 'Jul,', 'SUN', 'Monday', 'September', 'Tue']) expect(isWordValue(t), t).toBe(false);
    for (const w of ['Junk', 'Monitor', 'Decoding', 'may', 'Mark']) expect(isWordValue(w), w).toBe(true);
  });

  it('reads a range of a longer string', () => {
    const s = 'client SPP. from';
    expect(isWordValue(s, 7, 11)).toBe(true);
    expect(isWordValue(s, 0, s.length)).toBe(false); // spaces
  });
});

describe('wordsApart: may two values of a position be variants?', () => {
  it('takes two words, or words around the same masks', () => {
    expect(wordsApart('usbfs', 'hub')).toBe(true);
    expect(wordsApart('(uid=<NUM>)', 'LOGIN(uid=<NUM>)')).toBe(true);
    expect(wordsApart('id=<NUM>/<HEX>', 'ref=<NUM>/<HEX>')).toBe(false); // `/` is no part of a word
    expect(wordsApart('state=<NUM>', 'code=<NUM>')).toBe(true);
  });

  it('refuses a mask on one side only, other masks, a wildcard, time names, paths', () => {
    expect(wordsApart('mask=ffffffff', 'mask=<HEX>')).toBe(false);
    expect(wordsApart('tty=NODEVssh', 'tty=:<NUM>')).toBe(false);
    expect(wordsApart('id=<NUM>', 'id=<HEX>')).toBe(false);
    expect(wordsApart('<NUM>', '<NUM>')).toBe(false); // nothing but a parameter
    expect(wordsApart('user=<*>', 'user=root')).toBe(false);
    expect(wordsApart('Jun', 'Jul')).toBe(false);
    expect(wordsApart("'/udev/vcs2'", "'/udev/vcsa2'")).toBe(false);
    // a mask glued to a name is an instance's id: `broadcast_12` / `rdd_2_0` are one parameter
    expect(wordsApart('broadcast_<NUM>', 'rdd_<NUM>')).toBe(false);
    expect(wordsApart('node-<NUM>', 'host-<NUM>')).toBe(false);
  });
});

describe('isUnit', () => {
  it('knows sizes, durations, rates and percentages, with one closing mark', () => {
    for (const u of ['B', 'KB,', 'MiB', 'bytes', 'ms', 's.', 'seconds', 'h', '%', 'Mbps']) expect(isUnit(u), u).toBe(true);
    for (const w of ['KBs', 'usable', 'Begin', 'ms,,', '']) expect(isUnit(w), w).toBe(false);
  });
});
