/** The redirect scenarios and the loopback server that answers them. */
export { clientJourneyUrl, SCENARIOS, type Scenario } from './catalogue.ts';
export {
  browserArgsFor,
  HOST_RESOLVER_RULES,
  type ScenarioServer,
  type ScenarioServerOptions,
  startScenarioServer,
} from './server.ts';
