import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { createProject } from '../../dev/host/project-repository.js';
import { hostWithPlugin, type BenchServices } from './bench-services.js';

export interface PageFigures {
  variants: number;
  testsPerRun: number;
  seedSeconds: number;
  timings: Record<string, { p50: number; p95: number; status: number }>;
}

/**
 * Seeds an experiment of `variants` completed runs × `tasks` tests straight in SQL (fast, and the same
 * rows a run writes), then times the server's answers: results and a paged breakdown, as JSON and as pages.
 */
export async function measurePages(services: BenchServices, options: { variants: number; tasks: number; samples: number }): Promise<PageFigures> {
  const databaseUrl = await services.newDatabase('bench_pages');
  const host = await hostWithPlugin(services, databaseUrl);
  const apiKey = `bench_${randomBytes(12).toString('hex')}`;
  const project = await createProject(host.db, { name: 'Pages bench', apiKey });
  const seedStarted = performance.now();
  const ids = await seed(host.db as never, project.id, options.variants, options.tasks);
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const mount = host.plugin!.manifest.mountPath;
  const last = ids.runIds.at(-1)!;
  const targets: Record<string, string> = {
    'results JSON': `${mount}/api/experiments/${ids.experimentId}/results`,
    'results page': `${mount}/experiments/${ids.experimentId}`,
    'breakdown JSON (50 rows)': `${mount}/api/experiments/${ids.experimentId}/runs/${last}/tests?limit=50`,
    'breakdown page': `${mount}/experiments/${ids.experimentId}/runs/${last}/tests`,
    'regressions page': `${mount}/experiments/${ids.experimentId}/runs/${last}/tests?flip=regressed`,
  };
  const timings: PageFigures['timings'] = {};
  try {
    for (const [name, path] of Object.entries(targets)) {
      const samples: number[] = [];
      let status = 0;
      for (let i = 0; i < options.samples + 2; i += 1) {
        const started = performance.now();
        const response = await host.app.request(path, { headers: { 'x-api-key': apiKey } });
        await response.text();
        status = response.status;
        if (i >= 2) samples.push(performance.now() - started);
      }
      samples.sort((a, b) => a - b);
      const at = (p: number) => Math.round(samples[Math.min(samples.length - 1, Math.ceil(p * samples.length) - 1)]! * 10) / 10;
      timings[name] = { p50: at(0.5), p95: at(0.95), status };
    }
  } finally {
    await host.close();
  }
  return { variants: options.variants, testsPerRun: options.tasks, seedSeconds: Math.round(seedSeconds * 10) / 10, timings };
}

async function seed(db: Kysely<any>, projectId: string, variants: number, tasks: number) {
  const q = (query: ReturnType<typeof sql>) => query.execute(db);
  const experimentId = crypto.randomUUID();
  await q(sql`insert into host.tasks (project_id, title, prompt, expected, evaluations)
    select ${projectId}, 'Task ' || i, 'Prompt ' || i, 'refund', '[{"type":"contains","value":"refund"}]'::jsonb from generate_series(1, ${tasks}) i`);
  await q(sql`insert into experiments.experiments (id, project_id, name, description, status, baseline_config, locked_at)
    values (${experimentId}, ${projectId}, 'Page benchmark', 'Many variants and tests', 'idle', '{"responder":{"temperature":0.5}}', now())`);
  await q(sql`insert into experiments.experiment_steps values (${experimentId}, 'responder', 'Responder', 'llm', 0)`);
  await q(sql`insert into experiments.experiment_tasks (experiment_id, task_id, position, snapshot)
    select ${experimentId}, t.id::text, row_number() over (order by t.created_at) - 1,
           jsonb_build_object('id', t.id, 'title', t.title, 'prompt', t.prompt, 'expected', t.expected)
    from host.tasks t where t.project_id = ${projectId}`);
  const variantIds: string[] = [];
  const runIds: string[] = [];
  for (let v = 0; v < variants; v += 1) {
    const variantId = crypto.randomUUID();
    const runId = crypto.randomUUID();
    const baseline = v === 0;
    await q(sql`insert into experiments.variants (id, experiment_id, parent_id, is_baseline, name, override_step, override_parameter, override_value, status)
      values (${variantId}, ${experimentId}, ${baseline ? null : variantIds[0]!}, ${baseline}, ${baseline ? 'Baseline' : `Temperature ${v / 10}`},
              ${baseline ? null : 'responder'}, ${baseline ? null : 'temperature'}, ${baseline ? null : sql`to_jsonb(${v / 10}::float8)`}, 'completed')`);
    await q(sql`insert into experiments.runs (id, experiment_id, variant_id, number, is_baseline, status, concurrency, repeats, trace_timeout_seconds, config, total, workflow_id, started_at, finished_at)
      values (${runId}, ${experimentId}, ${variantId}, 1, ${baseline}, 'completed', 10, 1, 300, '{}', ${tasks}, ${`bench-${runId}`}, now() - interval '1 hour', now())`);
    // Pass rates spread across variants; each test passes by a per-(variant, task) hash.
    await q(sql`insert into experiments.tests (run_id, task_id, repeat, position, test_id, status, trace_id, finished_at, output, latency_ms, input_tokens, output_tokens, cost)
      select ${runId}, et.task_id, 0, et.position, gen_random_uuid(),
             case when abs(hashtext(${v}::text || et.task_id)) % 100 < ${60 + v} then 'passed' else 'failed' end,
             md5(${runId}::text || et.task_id), now(), 'We have issued a refund for order ' || et.position, 300 + et.position % 700, 120, 80, 0.0004
      from experiments.experiment_tasks et where et.experiment_id = ${experimentId}`);
    await q(sql`insert into experiments.evaluation_results (test_row_id, attempt, round, position, evaluator, source, config, score, outcome, reason)
      select t.id, 1, 1, 0, 'contains', 'task', '{"type":"contains","value":"refund"}', case when t.status = 'passed' then 1 else 0 end,
             t.status, case when t.status = 'passed' then 'output contains "refund"' else 'output does not contain "refund"' end
      from experiments.tests t where t.run_id = ${runId}`);
    await q(sql`insert into experiments.test_steps (test_row_id, attempt, step, latency_ms, input_tokens, output_tokens, cost)
      select t.id, 1, 'responder', t.latency_ms, t.input_tokens, t.output_tokens, t.cost from experiments.tests t where t.run_id = ${runId}`);
    variantIds.push(variantId);
    runIds.push(runId);
  }
  await q(sql`analyze`);
  return { experimentId, variantIds, runIds };
}
