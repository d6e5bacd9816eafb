export {
  type AgentLike,
  type AgentModelLike,
  type AgentModelProviderLike,
  fenceAgentModel,
  type GuardAgentModelsOptions,
  guardAgentModels,
} from './guard-agent-models.js';
