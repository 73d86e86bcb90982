import { PlanSlot } from './plan-hint-fragment.js';
import type { HostTask } from '../plugin/operations/host-catalog.js';
import type { HostTaskSource } from '../plugin/operations/task-sources.js';
import { shorten } from './format.js';
import { FieldNotes } from './form-fields.js';
import { SetupFrame } from './setup-stepper.js';
import type { ViewPaths } from './view-paths.js';

export interface ChooseTasksPageProps {
  paths: ViewPaths;
  experiment: { id: string; name: string };
  /** The page of the host's catalog being shown. */
  tasks: HostTask[];
  search: string;
  cursor: string | undefined;
  nextCursor: string | undefined;
  selected: ReadonlySet<string>;
  error?: string | undefined;
  /** On a host whose tasks live in collections (Phoenix datasets): the collections, and the one in use. */
  sources?: HostTaskSource[];
  taskSource?: { sourceId: string; splits?: string[] } | null;
  sourceError?: string | undefined;
}

/** Step 3: the tasks every variant runs on, picked from the host's catalog page by page. */
export function ChooseTasksPage(props: ChooseTasksPageProps) {
  const { paths, experiment, tasks, search, cursor, nextCursor, selected, error } = props;
  const action = paths.setup(experiment.id, 'tasks');
  const count = selected.size;
  // The experiment runs on all of a dataset (or of its splits): the table lists those examples, chosen as a whole.
  const fromSource = Boolean(props.taskSource && props.sources?.length);
  return (
    <SetupFrame paths={paths} current="tasks" experiment={experiment}>
      <p>Every variant runs on the same tasks, so their results can be compared. More tasks make smaller differences visible.</p>
      {props.sources && props.sources.length > 0 ? (
        <TaskSourcePicker action={action} sources={props.sources} taskSource={props.taskSource ?? null} error={props.sourceError} />
      ) : null}
      {/* The search belongs to the tasks form: searching saves the ticks of this page first, so none is lost. */}
      <div role="search" class="xp-inline-form">
        <label for="task-search">Search tasks</label>
        <input id="task-search" type="search" name="search" value={search} form="tasks-form" />
        <button type="submit" class="xp-button" form="tasks-form" name="action" value="search">
          Search
        </button>
      </div>
      <form method="post" action={action} class="xp-form" id="tasks-form">
        <input type="hidden" name="shownSearch" value={search} />
        {cursor ? <input type="hidden" name="cursor" value={cursor} /> : null}
        {nextCursor ? <input type="hidden" name="nextCursor" value={nextCursor} /> : null}
        {/* The count follows the ticks as they change (the tab's script), before they are saved. */}
        <p class="xp-count" id="task-count" role="status" data-selected-count={count}>
          <strong>{count}</strong> <span data-noun>{count === 1 ? 'task' : 'tasks'}</span> selected
        </p>
        <fieldset class={error ? 'xp-field-invalid' : undefined} aria-describedby={error ? 'tasks-error' : undefined}>
          <legend>
            {fromSource ? 'Examples of the dataset in use' : 'Tasks'}
            {search ? ` matching “${search}”` : ''}
          </legend>
          <FieldNotes id="tasks" error={error} />
          {tasks.length === 0 ? (
            <p class="xp-empty">
              {search ? 'No task matches this search.' : 'This project has no tasks yet; add test cases to the host first.'}
            </p>
          ) : (
            <table class="xp-table xp-task-table">
              <thead>
                <tr>
                  {fromSource ? null : (
                    <th scope="col">
                      <span class="xp-visually-hidden">Selected</span>
                    </th>
                  )}
                  <th scope="col">Task</th>
                  <th scope="col">Prompt</th>
                </tr>
              </thead>
              <tbody>
                {tasks.map((task, index) => (
                  <tr>
                    {fromSource ? null : (
                      <td>
                        <input type="hidden" name="shown" value={task.id} />
                        <input
                          type="checkbox"
                          id={`task-${index}`}
                          name="task"
                          value={task.id}
                          checked={selected.has(task.id)}
                          data-saved={selected.has(task.id) ? 'true' : 'false'}
                        />
                      </td>
                    )}
                    <td>{fromSource ? task.title : <label for={`task-${index}`}>{task.title}</label>}</td>
                    <td class="xp-muted">{shorten(task.prompt, 140)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </fieldset>
        {fromSource ? (
          <div class="xp-actions">
            <button type="submit" name="action" value="clear" class="xp-button">
              Pick tasks one by one instead
            </button>
          </div>
        ) : (
          <div class="xp-actions">
            <button type="submit" name="action" value="save" class="xp-button">
              Save selection
            </button>
            <button type="submit" name="action" value="page" class="xp-button" disabled={tasks.length === 0}>
              Select all on this page
            </button>
            <button type="submit" name="action" value="matching" class="xp-button" disabled={tasks.length === 0}>
              {search ? 'Select all matching tasks' : 'Select all tasks'}
            </button>
            <button type="submit" name="action" value="clear" class="xp-button" disabled={count === 0}>
              Clear selection
            </button>
          </div>
        )}
        <div class="xp-actions xp-actions-split">
          <span>
            {cursor ? (
              <a href={`${action}${search ? `?search=${encodeURIComponent(search)}` : ''}`} class="xp-button">
                First page
              </a>
            ) : null}{' '}
            {nextCursor ? (
              <button type="submit" name="action" value="next" class="xp-button">
                Save and show next page
              </button>
            ) : null}
          </span>
          <button type="submit" name="action" value="continue" class="xp-button xp-button-primary">
            Save and continue
          </button>
        </div>
      </form>
      <PlanSlot paths={paths} experimentId={experiment.id} />
    </SetupFrame>
  );
}

/** All the examples of one dataset (or of some of its splits); the baseline pins the dataset's version it ran on. */
function TaskSourcePicker(props: {
  action: string;
  sources: HostTaskSource[];
  taskSource: { sourceId: string; splits?: string[] } | null;
  error?: string | undefined;
}) {
  const { action, sources, taskSource, error } = props;
  const current = taskSource ? sources.find((source) => source.id === taskSource.sourceId) : undefined;
  return (
    <form method="post" action={action} class="xp-form" id="task-source">
      <fieldset class={error ? 'xp-field-invalid' : undefined} aria-describedby={error ? 'source-error' : undefined}>
        <legend>Dataset</legend>
        <FieldNotes id="source" error={error} />
        <p class="xp-muted" id="task-source-current">
          {current
            ? `Using all ${taskSource?.splits?.length ? `examples in ${taskSource.splits.join(', ')} of` : 'examples of'} “${current.name}”. The baseline pins the dataset's version, so later edits do not change this experiment.`
            : 'Choose a dataset to run on all of its examples (or on some of its splits), or pick tasks one by one below.'}
        </p>
        {sources.map((source, index) => (
          <div class="xp-source">
            <input
              type="radio"
              id={`source-${index}`}
              name="source"
              value={source.id}
              checked={source.id === (taskSource?.sourceId ?? sources[0]?.id)}
            />{' '}
            <label for={`source-${index}`}>
              {source.name}{' '}
              <span class="xp-muted">
                ({source.taskCount} {source.taskCount === 1 ? 'example' : 'examples'})
              </span>
            </label>
            {source.splits?.length ? (
              <span class="xp-source-splits">
                {' '}
                splits:{' '}
                {source.splits.map((split, splitIndex) => (
                  <label for={`source-${index}-split-${splitIndex}`}>
                    <input
                      type="checkbox"
                      id={`source-${index}-split-${splitIndex}`}
                      name={`split:${source.id}`}
                      value={split.name}
                      checked={taskSource?.sourceId === source.id && (taskSource.splits ?? []).includes(split.name)}
                    />{' '}
                    {split.name} ({split.taskCount}){' '}
                  </label>
                ))}
              </span>
            ) : null}
          </div>
        ))}
      </fieldset>
      <div class="xp-actions">
        <button type="submit" name="action" value="source" class="xp-button">
          Use this dataset
        </button>
        <button type="submit" name="action" value="source-continue" class="xp-button xp-button-primary">
          Use this dataset and continue
        </button>
      </div>
    </form>
  );
}
