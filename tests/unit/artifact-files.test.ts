// The artifact folder helpers and settings: atomic writes, names confined to one segment, real
// paths checked on reads (a symlink out of the run's folder, or a linked run folder, is refused).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { locateArtifactFile, removeArtifactFiles, runFolder, writeArtifactFile } from '../../src/artifacts/files.js';
import { loadConfig } from '../../src/config.js';

const root = mkdtempSync(path.join(tmpdir(), 'cb-artifact-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('artifact files', () => {
  it('writes atomically (no temp file left) and the same content gives the same file', async () => {
    const a = await writeArtifactFile(root, 1, 'report.md', '# hello\n');
    const b = await writeArtifactFile(root, 1, 'report.md', '# hello\n');
    expect(a).toEqual(b);
    expect(a.sizeBytes).toBe(8);
    expect(readdirSync(runFolder(root, 1))).toEqual(['report.md']);
    expect(await locateArtifactFile(root, 1, 'report.md')).toMatchObject({ sizeBytes: 8 });
  });

  it.each(['../x', '..', '.hidden', 'a/b', 'a\\b', '/etc/passwd', 'x\0y', '', 'a..b'])('refuses the name %j', async (name) => {
    await expect(writeArtifactFile(root, 2, name, 'x')).rejects.toThrow(/invalid artifact name/);
    expect(await locateArtifactFile(root, 2, name)).toBeNull();
  });

  it('refuses a symlink leaving the run folder, and a run folder that is a link', async () => {
    const outside = path.join(root, 'outside.txt');
    writeFileSync(outside, 'secret');
    await writeArtifactFile(root, 3, 'report.md', 'ok');
    symlinkSync(outside, path.join(runFolder(root, 3), 'link.md'));
    expect(await locateArtifactFile(root, 3, 'link.md')).toBeNull();
    mkdirSync(path.join(root, 'elsewhere'));
    writeFileSync(path.join(root, 'elsewhere', 'report.md'), 'elsewhere');
    symlinkSync(path.join(root, 'elsewhere'), runFolder(root, 4));
    expect(await locateArtifactFile(root, 4, 'report.md')).toBeNull();
    expect(await locateArtifactFile(root, 5, 'report.md')).toBeNull(); // no folder at all
  });

  it('removes the named files, then the folder once empty', async () => {
    await writeArtifactFile(root, 6, 'a.json', '{}');
    await writeArtifactFile(root, 6, 'b.json', '{}');
    await removeArtifactFiles(root, 6, ['a.json']);
    expect(readFileSync(path.join(runFolder(root, 6), 'b.json'), 'utf8')).toBe('{}');
    await removeArtifactFiles(root, 6, ['b.json']);
    expect(() => readdirSync(runFolder(root, 6))).toThrow();
  });
});

describe('artifact settings', () => {
  it('defaults: 30 days, hourly sweep, DATA_DIR/logs', () => {
    const c = loadConfig({ DATA_DIR: '/srv/cb' });
    expect(c.artifacts).toEqual({ retentionDays: 30, sweepSeconds: 3600, ephemeral: false });
    expect(c.logsDir).toBe('/srv/cb/logs');
  });

  it('CYBER_BRAIN_LOGS and ARTIFACT_RETENTION_DAYS=0 (forever); memory:// gets a temporary folder', () => {
    expect(loadConfig({ CYBER_BRAIN_LOGS: '/var/cb', ARTIFACT_RETENTION_DAYS: '0' })).toMatchObject({ logsDir: '/var/cb', artifacts: { retentionDays: 0, ephemeral: false } });
    const mem = loadConfig({ DATA_DIR: 'memory://' });
    expect(mem.artifacts.ephemeral).toBe(true);
    expect(mem.logsDir.startsWith(tmpdir())).toBe(true);
  });

  it('refuses a bad value, naming the variable', () => {
    expect(() => loadConfig({ ARTIFACT_RETENTION_DAYS: '-1' })).toThrow(/ARTIFACT_RETENTION_DAYS/);
    expect(() => loadConfig({ ARTIFACT_SWEEP_SECONDS: '0' })).toThrow(/ARTIFACT_SWEEP_SECONDS/);
  });
});
