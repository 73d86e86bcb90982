import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../plugin/config.js';

const root = path.resolve(import.meta.dirname, '..');
const read = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));
const manifest = read('plugin.manifest.json');
const schema = read(manifest.$schema);

describe('plugin.manifest.json', () => {
  it('validates against the JSON Schema it names', () => {
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
  });

  it('is refused by the schema when a required field is missing or wrong', () => {
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    const { tab: _tab, ...withoutTab } = manifest;
    expect(validate(withoutTab)).toBe(false);
    expect(validate({ ...manifest, mountPath: 'no-leading-slash' })).toBe(false);
    expect(validate({ ...manifest, tab: { ...manifest.tab, role: 'root' } })).toBe(false);
  });

  it('names paths that exist', () => {
    for (const file of [manifest.$schema, manifest.entry, manifest.migrations.folder, manifest.temporal.workflows]) {
      expect(existsSync(path.join(root, file)), file).toBe(true);
    }
  });

  it('has the package version, and the changelog starts with it', () => {
    expect(manifest.version).toBe(read('package.json').version);
    const changelog = readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
    // Changes not yet released gather under "## Unreleased" above it.
    expect(/^## (?!Unreleased$)(\S+)$/m.exec(changelog)?.[1]).toBe(manifest.version);
  });

  it('declares the settings the plugin accepts, and only those', () => {
    expect(Object.keys(manifest.config.properties).sort()).toEqual(Object.keys(configSchema.shape).filter((k) => k !== 'temporalTls').sort());
    expect(manifest.trace.testIdAttribute).toBe(configSchema.shape.testIdAttribute.parse(undefined));
    expect(manifest.temporal.taskQueue).toBe(configSchema.shape.taskQueue.parse(undefined));
  });
});
