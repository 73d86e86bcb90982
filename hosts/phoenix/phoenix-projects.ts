import { z } from 'zod';
import type { PhoenixRequest } from './phoenix-request.js';

const projectSchema = z.object({ id: z.string(), name: z.string(), description: z.string().nullish() });

/** A Phoenix project: where an application's traces go (`openinference.project.name`). */
export type PhoenixProject = z.infer<typeof projectSchema>;

/** Phoenix projects: list, get by id or name, create. */
export function createPhoenixProjects(request: PhoenixRequest) {
  return {
    /** One page of projects (Phoenix's own, without its experiment projects). */
    async list(query: { limit?: number; cursor?: string; nameContains?: string } = {}) {
      const page = await request('GET', '/v1/projects', {
        query: { limit: query.limit, cursor: query.cursor, name_contains: query.nameContains },
        schema: z.object({ data: z.array(projectSchema), next_cursor: z.string().nullish() }),
      });
      return { items: page.data, nextCursor: page.next_cursor ?? undefined };
    },

    /** A project by its id or its name (a name must not hold `/`, `?` or `#`). */
    async get(identifier: string): Promise<PhoenixProject> {
      const found = await request('GET', `/v1/projects/${encodeURIComponent(identifier)}`, {
        schema: z.object({ data: projectSchema }),
      });
      return found.data;
    },

    async create(project: { name: string; description?: string }): Promise<PhoenixProject> {
      const created = await request('POST', '/v1/projects', { body: project, schema: z.object({ data: projectSchema }) });
      return created.data;
    },
  };
}

export type PhoenixProjects = ReturnType<typeof createPhoenixProjects>;
