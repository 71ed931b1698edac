/**
 * What every command of `chiiki` shares: its `usage` line (printed by main.ts for `--help`) and
 * the exit on bad input.
 */

/** Says what is wrong with the call and how to call `command`; exit code 2 (bad input). */
export function badInput(command: string, usage: string, message: string): number {
  console.error(`chiiki ${command}: ${message}\n${usage}`);
  return 2;
}

/** Whether the arguments ask for the command's help. */
export function helpAsked(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}
