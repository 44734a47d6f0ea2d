/**
 * Ink stops painting frames when it believes it runs in CI (its is-in-ci dependency reads
 * CI and CONTINUOUS_INTEGRATION once, when Ink is imported). ovl-tui only starts the UI in
 * a terminal, which is interactive whatever the environment says: forget those variables
 * before Ink loads. (Not version-bound: every Ink since 4 reads them.)
 */
export function forgetCi(env: NodeJS.ProcessEnv): void {
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
}
