/** Loading, validating and editing QuantCoder's configuration (the schema itself is domain/config.ts). */
export { layoutFromEnv, loadSettings, parseDotenv, readConfigFile, writeConfigFile, type Settings } from './settings';
export { configSources, setConfigValue, unsetConfigValue } from './edit';
export { loadTaxonomy } from './taxonomy';
export { packageRoot, packageVersion } from './package-root';
