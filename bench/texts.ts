/**
 * Text fixtures for the benchmark: the conversation sent on every benchmarked call, the reply the fake
 * providers answer with, and generated corpora for timing the tokenizer. Everything is deterministic so
 * two runs of `bench/run.ts` always time the same work.
 */
import { seededRandom } from '../test/support/seeded-random.js';

/**
 * A typical multi-turn chat (~4,000 characters; o200k reads English prose at ~5 characters per token, so
 * ~820 tokens with message framing): what most agent calls look like.
 */
export const SYSTEM_PROMPT =
  'You are a senior support engineer at Northwind Analytics, a company that sells a hosted data ' +
  'warehouse and a dashboarding product to small and medium businesses. Answer precisely and ' +
  'politely. When the customer describes a problem, first restate it in one sentence, then list the ' +
  'most likely causes in order of probability, then give concrete steps to confirm or rule out each ' +
  'cause. Prefer configuration changes over code changes, and never ask the customer to share ' +
  'passwords, API keys or personal data. If a question is about billing, point to the billing portal ' +
  'and do not quote prices. Keep the answer under three hundred words unless the customer asks for more.';

export const USER_QUESTION =
  'Hello, we have been using the Northwind warehouse for about eight months and everything worked ' +
  'well until last Tuesday. Since then our nightly import job, which loads roughly two million rows ' +
  'of order data from our shop database, has been taking more than four hours instead of the usual ' +
  'forty minutes. Nothing changed on our side as far as we know: the job runs on the same virtual ' +
  'machine, with the same schedule, and the source tables have grown by maybe five percent since ' +
  'last month. The import uses the bulk loader with the default batch size of ten thousand rows and ' +
  'writes into a staging table first, then merges into the main orders table with a single statement. ' +
  'Looking at the job logs, the loading phase still finishes in about twenty minutes, but the merge ' +
  'now runs for over three and a half hours. During that time the dashboard that our sales team uses ' +
  'in the morning is also very slow, and a few of their scheduled reports timed out on Wednesday and ' +
  'Thursday. We tried restarting the job and running it at a different hour, which did not help. One ' +
  'of our developers noticed that the orders table now has a new index on the customer email column, ' +
  'but he is not sure who added it or when; it might have been created by the dashboard setup wizard ' +
  'when we connected a new data source. We also upgraded the connector on our virtual machine to the ' +
  'latest version two weeks ago, although the first slow night was only last Tuesday. Could you ' +
  'help us understand what is going on and what we should check first? We would like to get the ' +
  'import back under an hour before the end of the month, because our finance team closes the books ' +
  'on the last business day and needs complete numbers by eight in the morning.';

export const ASSISTANT_REPLY =
  'Thank you for the detailed description. To summarise: since last Tuesday the merge step of your ' +
  'nightly import has become about six times slower, while loading into staging is unchanged. The ' +
  'most likely cause is the new index on the customer email column, because every merged row now ' +
  'has to update it as well. A second possibility is that table statistics are stale after the growth ' +
  'of the source tables, which can make the merge choose a poor plan. Could you tell me whether the ' +
  'merge statement matches rows on the order number only, and whether the slow nights coincide with ' +
  'the dashboard refresh schedule?';

export const USER_FOLLOW_UP =
  'The merge matches on the order number and the shop identifier together. The dashboard refresh runs ' +
  'every fifteen minutes around the clock, so it overlaps with the import every night, but it did the ' +
  'same before Tuesday. We checked the index: it was created last Monday evening by the wizard, as we ' +
  'suspected. Is it safe to drop it, and what else should we do to make sure this does not happen again ' +
  'after the next connector update or the next time someone connects a data source? For context, the ' +
  'orders table holds about forty million rows, partitioned by month, and the staging table is emptied ' +
  'before every load. Our developers also mentioned that the merge statement was written three years ago ' +
  'by a contractor and has never been reviewed, so if you see anything in our description that suggests ' +
  'it could be written in a better way, we would be glad to hear it. Finally, we noticed that the storage ' +
  'used by the warehouse grew by almost twenty percent over the last week, which seems a lot for five ' +
  'percent more data; could the index explain that as well, or is something else growing?';

/** The assistant's answer in every fake response (~1,170 characters, 236 o200k tokens). */
export const REPLY_TEXT =
  'Yes, it is safe to drop the index if no report filters or joins on the customer email column; the ' +
  'wizard adds it only to speed up its own preview queries. Before dropping it, open the query history ' +
  'for the last thirty days and search for statements that use the column. If you find none, drop the ' +
  'index during the day and run the import once manually to confirm that the merge is back to about ' +
  'twenty minutes. Next, refresh the table statistics on the orders table and on the staging table, ' +
  'because the planner estimates are probably based on last month. To prevent a repeat, there are three ' +
  'things you can do. First, turn off automatic index creation in the wizard settings under Sources, ' +
  'Advanced. Second, add an alert on the import duration, for example when it exceeds twice its ' +
  'seven-day median, so that a slowdown is visible the first morning instead of after three nights. ' +
  'Third, schedule the dashboard refresh to pause between one and three in the morning, when the ' +
  'import runs, which will also make the merge more predictable. If the merge is still slow after ' +
  'these steps, send us the job identifier of the slowest night and we will look at the execution plan.';

/** Splits `text` into `parts` pieces of near-equal length, as a stream would deliver it. */
export function splitText(text: string, parts: number): string[] {
  const size = Math.ceil(text.length / parts);
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

const SUBJECTS = [
  'The finance team',
  'Our nightly import',
  'A new customer',
  'The product manager',
  'Every regional office',
  'The support engineer',
  'Most small businesses',
  'The quarterly report',
  'An experienced analyst',
  'The marketing department',
  'Her latest proposal',
  'The warehouse schedule',
] as const;
const VERBS = [
  'reviewed',
  'postponed',
  'summarised',
  'questioned',
  'approved',
  'rewrote',
  'compared',
  'measured',
  'published',
  'forwarded',
  'simplified',
  'documented',
] as const;
const OBJECTS = [
  'the budget for next year',
  'several overdue invoices',
  'the migration plan',
  'a list of open questions',
  'the results of the survey',
  'two competing designs',
  'the shipping estimates',
  'an unusually long meeting',
  'the onboarding checklist',
  'the weekly sales figures',
  'a draft of the contract',
  'the incident timeline',
] as const;
const CLAUSES = [
  'before the deadline on Friday',
  'because the numbers did not add up',
  'after a short discussion with the board',
  'while the rest of the office was on holiday',
  'so that nobody would be surprised in March',
  'although the data was still incomplete',
  'without asking anyone for permission',
  'in less than an hour',
  'to everyone’s relief',
  'as requested by the auditors',
  'during the morning stand-up',
  'for the third time this month',
] as const;

/** Varied English prose of at least `targetLength` characters. */
export function englishText(targetLength: number, seed = 42): string {
  const random = seededRandom(seed);
  const sentences: string[] = [];
  let length = 0;
  while (length < targetLength) {
    const count = Math.floor(random() * 900) + 3;
    const sentence =
      random() < 0.2
        ? `${pick(random, SUBJECTS)} ${pick(random, VERBS)} ${count} items of ${pick(random, OBJECTS)} ${pick(random, CLAUSES)}.`
        : `${pick(random, SUBJECTS)} ${pick(random, VERBS)} ${pick(random, OBJECTS)} ${pick(random, CLAUSES)}.`;
    sentences.push(sentence);
    length += sentence.length + 1;
  }
  return sentences.join(' ');
}

/** Common Han characters: a long CJK run has no spaces, which is what makes naive BPE super-linear. */
const HAN =
  '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严';

/** A run of `length` CJK characters without spaces or punctuation. */
export function cjkRun(length: number, seed = 7): string {
  const random = seededRandom(seed);
  let text = '';
  for (let index = 0; index < length; index += 1) text += HAN.charAt(Math.floor(random() * HAN.length));
  return text;
}
