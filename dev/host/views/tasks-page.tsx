import type { TaskView } from '../task-repository.js';
import { truncate } from './host-format.js';

export interface TasksPageProps {
  tasks: TaskView[];
  search: string;
  nextCursor?: string;
  paged: boolean;
}

function evaluationSummary(evaluations: TaskView['evaluations']) {
  if (!evaluations || evaluations.length === 0) return <span class="muted">—</span>;
  return evaluations.map((evaluation) => <code class="chip">{String(evaluation.type ?? '?')}</code>);
}

/** The task catalog (read-only), searchable by title or prompt. */
export function TasksPage({ tasks, search, nextCursor, paged }: TasksPageProps) {
  const query = (cursor?: string) => {
    const params = new URLSearchParams();
    if (search) params.set('search', search);
    if (cursor) params.set('cursor', cursor);
    const text = params.toString();
    return text ? `/tasks?${text}` : '/tasks';
  };
  return (
    <section>
      <h1>Tasks</h1>
      <form class="search" method="get" action="/tasks" role="search">
        <label for="task-search">Search title or prompt</label>
        <input id="task-search" type="search" name="search" value={search} />
        <button type="submit">Search</button>
      </form>
      {tasks.length === 0 ? (
        <p class="empty">{search ? 'No task matches this search.' : 'No tasks yet. Add them with POST /api/tasks.'}</p>
      ) : (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Prompt</th>
              <th scope="col">Expected</th>
              <th scope="col">Evaluations</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((task) => (
              <tr data-task-id={task.id}>
                <td>{task.title}</td>
                <td title={task.prompt}>{truncate(task.prompt, 160)}</td>
                <td>{task.expected ? truncate(task.expected, 80) : <span class="muted">—</span>}</td>
                <td>{evaluationSummary(task.evaluations)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pages">
        {paged ? <a href={query()}>First page</a> : null}
        {nextCursor ? (
          <a href={query(nextCursor)} rel="next">
            Next page
          </a>
        ) : null}
      </nav>
    </section>
  );
}
