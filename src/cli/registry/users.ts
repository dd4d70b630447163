import type { Command } from 'commander';
import { addAccount, grantAccess, parseGrant, removeAccount, revokeAccess, setPassword } from '../../registry/access/accounts.js';
import { collect, dataOption, listOptions, printAccounts, readPasswordStdin, showSecret, wantsJson, withStore, type DataFlags, type ListFlags } from './accounts-io.js';

/**
 * `bosun registry users add|list|remove|passwd|grant|revoke`: manage user accounts in a data
 * directory's meta.db, with or without a running server (which sees changes within a minute).
 */
export function registerRegistryUsers(registry: Command): void {
  const users = registry.command('users').description('manage registry users and their permissions (offline, on --data)');
  dataOption(users.command('add <name>').description('add a user; the password comes from --password-stdin or is generated and printed once'))
    .option('--password-stdin', 'read the password from stdin')
    .option('--grant <pattern=actions>', 'grant actions (pull, push, delete, admin) on a repository pattern; repeatable', collect)
    .action(async (name: string, flags: DataFlags & { passwordStdin?: boolean; grant?: string[] }) => {
      const password = flags.passwordStdin ? await readPasswordStdin() : undefined;
      const grants = (flags.grant ?? []).map(parseGrant);
      const added = await withStore(flags, true, (s) => addAccount(s, { kind: 'user', name, grants, ...(password !== undefined ? { password } : {}) }));
      showSecret(`added user ${added.name}`, added.secret);
    });
  listOptions(dataOption(users.command('list').description('list users and their grants')))
    .action(async (flags: DataFlags & ListFlags) => {
      const json = wantsJson(flags);
      printAccounts(await withStore(flags, false, (s) => s.listAccounts('user')), json);
    });
  dataOption(users.command('remove <name>').description('remove a user and its grants')).action(async (name: string, flags: DataFlags) => {
    showSecret(`removed user ${await withStore(flags, false, (s) => removeAccount(s, 'user', name))}`, undefined);
  });
  dataOption(users.command('passwd <name>').description("set a user's password (from --password-stdin, or generated and printed once)"))
    .option('--password-stdin', 'read the password from stdin')
    .action(async (name: string, flags: DataFlags & { passwordStdin?: boolean }) => {
      const password = flags.passwordStdin ? await readPasswordStdin() : undefined;
      const done = await withStore(flags, false, (s) => setPassword(s, name, password));
      showSecret(`changed the password of ${name}`, done.secret);
    });
  dataOption(users.command('grant <name> <pattern> <actions>').description('grant actions (pull,push,delete,admin) on a repository pattern (* one level, ** any depth); robots too'))
    .action(async (name: string, pattern: string, actions: string, flags: DataFlags) => {
      const grant = await withStore(flags, false, (s) => grantAccess(s, name, pattern, actions));
      showSecret(`${name} may now ${grant.actions.join(',')} on ${grant.pattern}`, undefined);
    });
  dataOption(users.command('revoke <name> <pattern>').description("remove an account's grant on exactly that pattern; robots too"))
    .action(async (name: string, pattern: string, flags: DataFlags) => {
      await withStore(flags, false, (s) => revokeAccess(s, name, pattern));
      showSecret(`revoked ${name}'s grant on ${pattern}`, undefined);
    });
}
