import type { HostInferenceStep } from '../../../plugin/host.js';

/** The inference-step catalog (read-only). */
export function InferenceStepsPage({ steps }: { steps: HostInferenceStep[] }) {
  return (
    <section>
      <h1>Inference steps</h1>
      <p class="lede">The named steps of your pipeline. Spans whose name is a step's id are that step's calls.</p>
      {steps.length === 0 ? (
        <p class="empty">No inference steps yet. Add them with POST /api/inference-steps.</p>
      ) : (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Title</th>
              <th scope="col">Type</th>
            </tr>
          </thead>
          <tbody>
            {steps.map((step) => (
              <tr data-step-id={step.externalId}>
                <td>
                  <code>{step.externalId}</code>
                </td>
                <td>{step.title}</td>
                <td>{step.type}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
