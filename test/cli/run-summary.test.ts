// What `drill run` does at the end: which --format values are run-directory files and
// which are outputs, and when a run is a library run (the table at the end).
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLibraryRun, splitFormats } from '../../src/cli/run-summary.js';

const root = resolve(import.meta.dirname, '../..');

describe('splitFormats', () => {
  const defaults = ['json', 'junit', 'html'];
  it('github alone keeps the default run-directory reports', () => {
    expect(splitFormats(['github'], defaults)).toEqual({ files: defaults, github: true });
  });
  it('named files replace the defaults, as before', () => {
    expect(splitFormats(['json', 'github'], defaults)).toEqual({ files: ['json'], github: true });
    expect(splitFormats(['html'], defaults)).toEqual({ files: ['html'], github: false });
  });
});

describe('isLibraryRun', () => {
  it('a directory, or more than one scenario', () => {
    expect(isLibraryRun([resolve(root, 'scenarios')], 20)).toBe(true);
    expect(isLibraryRun(['a.yaml', 'b.yaml'], 2)).toBe(true);
    expect(isLibraryRun([resolve(root, 'scenarios/primary-down.yaml')], 1)).toBe(false);
    expect(isLibraryRun(['primary-down'], 1)).toBe(false);
  });
});
