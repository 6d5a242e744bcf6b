import { describe, expect, it } from 'vitest';
import { auditRedaction, parameterSpans, replacedSpans } from '../../bench/redaction-audit.js';

describe('bench redaction audit (false positives on Loghub)', () => {
  it('aligns markers with the text they replaced', () => {
    expect(replacedSpans('from 1.2.3.4 port 22', 'from [REDACTED_IP] port 22')).toEqual([{ marker: '[REDACTED_IP]', start: 5, end: 12 }]);
    expect(parameterSpans('x: conn from 1.2.3.4 port 22', 'conn from <*> port <*>')).toEqual([[13, 20], [26, 28]]);
  });

  it('counts an address in an address-shaped parameter as a true positive', () => {
    const tpl = 'connection from <*> (<*>) at <*>';
    const raw = 'ftpd[1]: connection from 24.54.76.216 (24-54-76-216.bflony.example.net) at noon';
    const red = 'ftpd[1]: connection from [REDACTED_IP] ([REDACTED_IP].bflony.example.net) at noon';
    expect(auditRedaction(raw, red, tpl)).toEqual({ markers: 2, falsePositives: [] });
    expect(auditRedaction('at msra-sa-41/10.1.2.3:8030', 'at msra-sa-41/[REDACTED_IP]:8030', 'at <*>/<*>:<*>').falsePositives).toEqual([]);
  });

  it('counts versions, thread names and object dumps as false positives', () => {
    const v = auditRedaction('package: P_for_KB1~31bf~amd64~~6.1.1.0, x', 'package: P_for_KB1~31bf~amd64~~[REDACTED_IP], x', 'package: <*>, x');
    expect(v.falsePositives).toEqual(['[REDACTED_IP]: 6.1.1.0']);
    const t = auditRedaction('[main:QuorumPeer@913] - hi', '[[REDACTED_CREDENTIALS]@913] - hi', 'hi');
    expect(t.falsePositives).toEqual(['[REDACTED_CREDENTIALS]: main:QuorumPeer']);
  });
});
