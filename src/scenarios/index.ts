/** The redirect scenarios and the loopback server that answers them. */
export { clientJourneyUrl, SCENARIOS, type Scenario } from './catalogue.ts';
export { FALLBACK_DOMAIN, fallbackHost, UPGRADE_HOST } from './hosts.ts';
export {
  browserArgsFor,
  firefoxPrefsFor,
  HOST_RESOLVER_RULES,
  hostResolverRules,
  type ScenarioServer,
  type ScenarioServerOptions,
  startScenarioServer,
  TLS_CERT_PATH,
} from './server.ts';
