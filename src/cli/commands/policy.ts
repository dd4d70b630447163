import type { Command } from 'commander';
import { applyPolicies, formatApplyResults, formatTestRuns, isBlocking, isTestRunOk, runTests } from '../../policy/index.js';

/**
 * `bosun policy test <dir>` (like `kyverno test`): runs every kyverno-test.yaml under <dir>;
 * exit 1 when any expected result differs or a test fails to load.
 * `bosun policy apply -p <policy> -r <resource>` (like `kyverno apply`): prints the results;
 * exit 1 when any rule fails or errors (warn and skip do not).
 */
export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('Kyverno-compatible policies: test suites and one-off evaluation');

  policy
    .command('test')
    .description('run Kyverno CLI tests (kyverno-test.yaml files) found under a directory')
    .argument('<dir>', 'directory searched recursively for kyverno-test.yaml (or one test file)')
    .action(async (dir: string) => {
      const runs = await runTests(dir);
      process.stdout.write(formatTestRuns(runs));
      if (runs.length === 0 || !runs.every(isTestRunOk)) process.exitCode = 1;
    });

  policy
    .command('apply')
    .description('apply policies to resources and print each rule result')
    .requiredOption('-p, --policy <file...>', 'policy YAML file(s) (ClusterPolicy / Policy)')
    .requiredOption('-r, --resource <file...>', 'resource YAML file(s)')
    .option('-f, --values-file <file>', 'Kyverno CLI values file (kind: Values)')
    .option('-u, --userinfo <file>', 'Kyverno CLI userinfo file (kind: UserInfo)')
    .action(async (opts: { policy: string[]; resource: string[]; valuesFile?: string; userinfo?: string }) => {
      const rows = await applyPolicies({
        policyFiles: opts.policy,
        resourceFiles: opts.resource,
        ...(opts.valuesFile ? { valuesFile: opts.valuesFile } : {}),
        ...(opts.userinfo ? { userInfoFile: opts.userinfo } : {}),
      });
      process.stdout.write(formatApplyResults(rows));
      if (rows.some(isBlocking)) process.exitCode = 1;
    });
}
