import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-database.js';
import { connectHostDatabase, migrateHostDatabase, type HostDb } from './host-database.js';
import { createProjectKeyCache } from './project-key-cache.js';
import { createProject } from './project-repository.js';

let database: TestDatabase;
let db: HostDb;

beforeAll(async () => {
  database = await createTestDatabase('host_key_cache');
  db = connectHostDatabase({ url: database.url });
  await migrateHostDatabase(db);
});
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe('project key cache', () => {
  it('answers a known key from memory after the first lookup', async () => {
    const { id, apiKey } = await createProject(db, { name: 'Cached' });
    const projectByApiKey = createProjectKeyCache(db);
    expect((await projectByApiKey(apiKey))?.id).toBe(id);
    // Renamed behind the cache's back: the remembered row shows that no second lookup happened.
    await db.updateTable('projects').set({ name: 'Renamed' }).where('id', '=', id).execute();
    expect((await projectByApiKey(apiKey))?.name).toBe('Cached');
  });

  it('does not remember an unknown key: a project created with it later is found', async () => {
    const projectByApiKey = createProjectKeyCache(db);
    const apiKey = `seeded_${Date.now()}_key_for_cache`;
    expect(await projectByApiKey(apiKey)).toBeUndefined();
    const { id } = await createProject(db, { name: 'Seeded later', apiKey });
    expect((await projectByApiKey(apiKey))?.id).toBe(id);
  });
});
