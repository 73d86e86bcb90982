export { createDemoApp, type DemoApp, type DemoAppOptions } from './demo-app.js';
export { startDemoApp, type DemoServer, type DemoServerOptions } from './server.js';
export { loadDemoModelConfig, type DemoModelConfig } from './config.js';
export {
  demoBaselineConfig,
  demoInferenceSteps,
  demoTasks,
  type DemoEvaluation,
  type DemoInferenceStep,
  type DemoTask,
} from './demo-catalog.js';
export { createSimulatedModel, type SimulatedModelOptions } from './simulated-model.js';
export { createOpenAIModel, type ModelEndpoint } from './openai-model.js';
export { defaultStepParams, PIPELINE_STEPS, type PipelineStep } from './pipeline.js';
export type { DemoLogger } from './logger.js';
