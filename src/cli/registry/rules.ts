import type { Command } from 'commander';
import { BosunError } from '../../errors.js';
import { addImmutableTagRule, listImmutableTagRules, removeImmutableTagRule, type ImmutableTagRule, type RuleSelector } from '../../registry/immutable-tags/index.js';
import { registryTarget, targetOptions, type TargetFlags } from './target.js';

interface RuleFlags extends TargetFlags {
  repository?: string;
  tag?: string;
  id?: string;
  format?: string;
}

function patterns(flags: RuleFlags): { repository: string; tag: string } {
  if (flags.repository === undefined || flags.tag === undefined) throw new BosunError('INPUT_INVALID', 'pass both --repository <glob> and --tag <glob>');
  return { repository: flags.repository, tag: flags.tag };
}

function selector(flags: RuleFlags): RuleSelector {
  if (flags.id !== undefined) {
    if (flags.repository !== undefined || flags.tag !== undefined) throw new BosunError('INPUT_INVALID', 'pass either --id or --repository with --tag, not both');
    return { id: flags.id };
  }
  return patterns(flags);
}

function line(rule: ImmutableTagRule): string {
  return `${rule.id}\t${rule.repository}\t${rule.tag}\n`;
}

function render(rules: ImmutableTagRule[], format: string | undefined): string {
  if (format === 'json') return `${JSON.stringify(rules, null, 2)}\n`;
  if (format !== undefined && format !== 'table') throw new BosunError('INPUT_INVALID', `invalid --format "${format}": want table or json`);
  return `ID\tREPOSITORY\tTAG\n${rules.map(line).join('')}`;
}

/** `bosun registry rules add|list|remove`: immutable tag rules stored in a registry's data directory. */
export function registerRegistryRules(registry: Command): void {
  const rules = registry.command('rules').description('immutable tag rules (a matching tag cannot be re-pushed to another digest, moved or deleted)');
  const cmd = (name: string) => targetOptions(rules.command(name), 'the rules');
  cmd('add')
    .description('store a rule; a running registry applies it to its next write')
    .option('--repository <glob>', 'repository pattern: * within a path segment, ** across, ? and {a,b}')
    .option('--tag <glob>', 'tag pattern, e.g. v* or {latest,stable}')
    .action(async (flags: RuleFlags) => {
      process.stdout.write(line(await addImmutableTagRule(await registryTarget(flags), patterns(flags))));
    });
  cmd('list')
    .description('list the stored rules (rules in registry.yaml are not stored)')
    .option('--format <format>', 'table or json', 'table')
    .action(async (flags: RuleFlags) => {
      process.stdout.write(render(await listImmutableTagRules(await registryTarget(flags)), flags.format));
    });
  cmd('remove')
    .description('remove a stored rule, by --id or by its two patterns')
    .option('--id <id>', 'the rule id shown by list')
    .option('--repository <glob>', 'the repository pattern of the rule')
    .option('--tag <glob>', 'the tag pattern of the rule')
    .action(async (flags: RuleFlags) => {
      process.stdout.write(line(await removeImmutableTagRule(await registryTarget(flags), selector(flags))));
    });
}
