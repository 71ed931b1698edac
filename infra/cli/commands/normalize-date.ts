/**
 * `chiiki normalize-date "<text>" [--ref YYYY-MM-DD]`: reads a Japanese date, deadline phrase or
 * range and prints it in ISO 8601: an instant for a deadline (2025-05-30T17:00:00+09:00), a date
 * (2025-05-30), or a range as an interval (start/end). `--ref` resolves dates printed without a
 * year (default: today in Tokyo). Bad input prints the reason on stderr and exits with 2.
 */
import { systemClock } from '../../../shared/clock.js';
import { InvalidInputError } from '../../../shared/errors.js';
import { referenceDay, formatIsoDate } from '../../../shared/ja/calendar.js';
import { formatDateExpression, parseDateExpression } from '../../../shared/ja/date-expression.js';
import { badInput } from '../usage.js';

export const usage = 'usage: chiiki normalize-date "<text>" [--ref YYYY-MM-DD]';

const fail = (message: string): number => badInput('normalize-date', usage, message);

export async function run(args: string[]): Promise<number> {
  let ref: string | undefined;
  const texts: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--ref') {
      ref = args[++i];
      if (ref === undefined) return fail('--ref needs a value, expected YYYY-MM-DD');
    } else if (arg.startsWith('--ref=')) {
      ref = arg.slice('--ref='.length);
    } else if (arg.startsWith('--')) {
      return fail(`unknown option "${arg}"`);
    } else {
      texts.push(arg);
    }
  }
  if (texts.length !== 1) return fail(texts.length === 0 ? 'missing the text to read' : 'expected one text; quote it');
  try {
    const refDay = ref === undefined ? formatIsoDate(referenceDay(systemClock.now())) : ref;
    referenceDay(refDay);
    console.log(formatDateExpression(parseDateExpression(texts[0] ?? '', { ref: refDay })));
    return 0;
  } catch (error) {
    if (error instanceof InvalidInputError) return fail(error.issues.map((issue) => issue.message).join('; '));
    throw error;
  }
}
