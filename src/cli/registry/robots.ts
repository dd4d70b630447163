import type { Command } from 'commander';
import { addAccount, parseGrant, removeAccount } from '../../registry/access/accounts.js';
import { collect, dataOption, listOptions, printAccounts, showSecret, wantsJson, withStore, type DataFlags, type ListFlags } from './accounts-io.js';

/** `bosun registry robots add|list|remove`: robot accounts with generated secrets, for CI. */
export function registerRegistryRobots(registry: Command): void {
  const robots = registry.command('robots').description('manage robot accounts (robot$<name>, generated secrets) for automation');
  dataOption(robots.command('add <name>').description('add robot$<name>; its secret is generated and printed once'))
    .option('--grant <pattern=actions>', 'grant actions on a repository pattern; repeatable', collect)
    .option('--description <text>', 'what the robot is for')
    .action(async (name: string, flags: DataFlags & { grant?: string[]; description?: string }) => {
      const grants = (flags.grant ?? []).map(parseGrant);
      const added = await withStore(flags, true, (s) => addAccount(s, { kind: 'robot', name, grants, ...(flags.description !== undefined ? { description: flags.description } : {}) }));
      showSecret(`added robot ${added.name}`, added.secret);
    });
  listOptions(dataOption(robots.command('list').description('list robots and their grants')))
    .action(async (flags: DataFlags & ListFlags) => {
      const json = wantsJson(flags);
      printAccounts(await withStore(flags, false, (s) => s.listAccounts('robot')), json);
    });
  dataOption(robots.command('remove <name>').description('remove a robot (its tokens stop working when they expire)')).action(async (name: string, flags: DataFlags) => {
    showSecret(`removed robot ${await withStore(flags, false, (s) => removeAccount(s, 'robot', name))}`, undefined);
  });
}
