/**
 * Generates the bundled demo dataset `resources/demo/story-qa.jsonl`: short multiple-choice questions about tiny
 * stories in the TinyStories style (simple words, names like Lily and Tom), sized for the stories260K demo model.
 *
 * Each record folds its story into the question, so the default mcq prompt `Question: {question}\nAnswer:` works:
 * `{"id": "colour-001", "question": "Lily had a red ball. ... What colour was Lily's ball?", "choices": [...],
 * "answer": 0}` (0-based gold). The answer is always stated in the story (or follows from it by counting to three),
 * so a fine-tuned model can learn the pattern; distractors come from the same category, and some of them also
 * appear in the story so that copying any story word is not enough.
 *
 * Deterministic: a seeded PRNG (no Math.random), so running it again writes the same file.
 * Run: `npx tsx scripts/make-demo-data.ts [--out PATH] [--seed N] [--per-template N]`.
 */
import { createRng } from '../engine/random.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A generated multiple-choice record, as written to the JSONL file. */
export interface StoryQaRecord {
  id: string;
  question: string;
  choices: string[];
  /** 0-based index of the right choice. */
  answer: number;
}

type Rng = () => number;


function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

function shuffle<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** `count` distinct items of `items`, none of them in `not`. */
function pickDistinct<T>(rng: Rng, items: readonly T[], count: number, not: readonly T[] = []): T[] {
  const pool = shuffle(rng, items.filter((x) => !not.includes(x)));
  if (pool.length < count) throw new Error(`pool too small: need ${count}, have ${pool.length}`);
  return pool.slice(0, count);
}

interface Kid {
  name: string;
  he: string;
  him: string;
  his: string;
}

const GIRLS = ['Lily', 'Sue', 'Mia', 'Anna', 'Lucy', 'Amy', 'Kitty', 'Jane'];
const BOYS = ['Tom', 'Ben', 'Max', 'Tim', 'Sam', 'Jack', 'Bob', 'Joe'];
const KIDS: Kid[] = [
  ...GIRLS.map((name) => ({ name, he: 'she', him: 'her', his: 'her' })),
  ...BOYS.map((name) => ({ name, he: 'he', him: 'him', his: 'his' })),
];
const COLOURS = ['red', 'blue', 'green', 'yellow', 'pink', 'white', 'black', 'brown'];
const TOYS = ['ball', 'kite', 'doll', 'car', 'book', 'hat', 'boat', 'bear', 'cup', 'drum'];
const ANIMALS = ['dog', 'cat', 'bird', 'fish', 'frog', 'duck', 'bunny', 'cow', 'pig', 'horse', 'bug', 'mouse'];
const PETS = ['dog', 'cat', 'bird', 'fish', 'frog', 'bunny', 'mouse', 'duck'];
const PLACES = ['park', 'garden', 'house', 'school', 'beach', 'shop', 'farm', 'forest', 'lake', 'zoo'];
const SPOTS = ['in the box', 'under the bed', 'on the table', 'in the bag', 'under the tree', 'on the chair', 'by the door', 'under the rug'];
const FOODS = ['an apple', 'a cake', 'a cookie', 'a banana', 'some soup', 'some bread', 'a pie', 'some candy', 'a carrot', 'an egg'];
const NUMBERS = ['one', 'two', 'three'];
const SOUNDS: Record<string, string> = { dog: 'woof', cat: 'meow', cow: 'moo', duck: 'quack', pig: 'oink', sheep: 'baa', bird: 'tweet', frog: 'ribbit' };
const FEELINGS = ['happy', 'sad', 'scared', 'angry', 'tired', 'sleepy'];
/** Why someone feels a way, one clause per feeling ({he}/{his} filled in). */
const FEELING_CAUSES: Record<string, string[]> = {
  happy: ['got a new toy', 'won the race', 'saw {his} friend', 'found {his} lost ball'],
  sad: ['lost {his} toy', 'broke {his} cup', 'could not go out to play', 'dropped {his} ice cream'],
  scared: ['heard a loud noise', 'saw a big dog', 'was alone in the dark', 'saw a big storm'],
  angry: ['could not find {his} shoe', 'saw that {his} tower fell', 'did not get a turn', 'had to stop playing'],
  tired: ['ran all day', 'played for a long time', 'walked home from the park', 'helped Mom all day'],
  sleepy: ['stayed up late', 'had a long day', 'heard a soft song', 'was in a warm bed'],
};

/** `in the park`, `at the zoo`, `on the farm`. */
function at(place: string): string {
  if (place === 'farm') return `on the ${place}`;
  if (['beach', 'shop', 'school', 'lake', 'zoo'].includes(place)) return `at the ${place}`;
  return `in the ${place}`;
}

function fill(text: string, kid: Kid): string {
  return text.replaceAll('{he}', kid.he).replaceAll('{him}', kid.him).replaceAll('{his}', kid.his);
}

function cap(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

function plural(word: string, n: string): string {
  if (n === 'one') return word;
  if (word === 'fish' || word === 'sheep') return word;
  if (word === 'mouse') return 'mice';
  if (word === 'bunny') return 'bunnies';
  if (word === 'box') return 'boxes';
  return `${word}s`;
}

function kids(rng: Rng, count: number): Kid[] {
  return pickDistinct(rng, KIDS, count);
}

/** What a template produces: the question with its story, the right answer, and same-category wrong answers. */
interface Draft {
  question: string;
  gold: string;
  /** Wrong answers, the ones mentioned in the story first; at least 3. */
  distractors: string[];
  /** Most choices this draft supports (3 or 4). */
  maxChoices?: number;
}

type Template = (rng: Rng) => Draft;

/** Wrong answers: `near` (mentioned in the story) first, then others from `pool` not in `not`. */
function wrong(rng: Rng, near: readonly string[], pool: readonly string[], not: readonly string[]): string[] {
  const others = pickDistinct(rng, pool, 3, [...not, ...near]);
  return [...near, ...others];
}

const TEMPLATES: Record<string, Template> = {
  colour(rng) {
    const [a, b] = kids(rng, 2);
    const toy = pick(rng, TOYS);
    const [c1, c2] = pickDistinct(rng, COLOURS, 2);
    if (rng() < 0.4) {
      const thing = pick(rng, [...TOYS, ...PETS]);
      const seen = `${PETS.includes(thing) ? 'little ' : ''}${c1} ${thing}`;
      const story = pick(rng, [
        `${a.name} saw a ${seen} ${at(pick(rng, PLACES))}. ${cap(a.he)} liked it a lot.`,
        `For ${a.his} birthday, ${a.name} got a ${seen}. ${cap(a.he)} was very happy.`,
      ]);
      return { question: `${story} What colour was the ${thing}?`, gold: c1, distractors: wrong(rng, [], COLOURS, [c1]) };
    }
    const which = rng() < 0.5;
    const story = pick(rng, [
      `${a.name} had a ${c1} ${toy}. ${b.name} had a ${c2} ${toy}.`,
      `One day, ${a.name} and ${b.name} went to the park. ${a.name} took a ${c1} ${toy} and ${b.name} took a ${c2} ${toy}.`,
      `Mom gave ${a.name} a ${c1} ${toy}. Then she gave ${b.name} a ${c2} ${toy}. They were very happy.`,
    ]);
    const who = which ? a : b;
    const gold = which ? c1 : c2;
    return { question: `${story} What colour was ${who.name}'s ${toy}?`, gold, distractors: wrong(rng, [which ? c2 : c1], COLOURS, [gold]) };
  },

  count(rng) {
    const kid = pick(rng, KIDS);
    const place = pick(rng, PLACES);
    const [x, y] = pickDistinct(rng, ANIMALS, 2);
    if (rng() < 0.35) {
      // counting on: one and one make two, one and two make three
      const [n1, n2, total] = pick(rng, [['one', 'one', 'two'], ['one', 'two', 'three'], ['two', 'one', 'three']] as const);
      const question =
        `${kid.name} saw ${n1} ${plural(x, n1)} ${at(place)}. Then ${kid.he} saw ${n2} more ${plural(x, n2)}. ` +
        `How many ${plural(x, 'two')} did ${kid.name} see in all?`;
      return { question, gold: total, distractors: NUMBERS.filter((n) => n !== total), maxChoices: 3 };
    }
    const [nx, ny] = pickDistinct(rng, NUMBERS, 2);
    const askX = rng() < 0.5;
    const question =
      `${kid.name} went to the ${place}. ${cap(kid.he)} saw ${nx} ${plural(x, nx)} and ${ny} ${plural(y, ny)}. ` +
      `How many ${plural(askX ? x : y, 'two')} did ${kid.name} see?`;
    const gold = askX ? nx : ny;
    return { question, gold, distractors: NUMBERS.filter((n) => n !== gold), maxChoices: 3 };
  },

  who(rng) {
    const [a, b, c] = kids(rng, 3);
    const [t1, t2] = pickDistinct(rng, TOYS, 2);
    const place = pick(rng, PLACES);
    const verb = pick(rng, ['found', 'lost', 'made', 'wanted']);
    const story = pick(rng, [
      `${a.name} and ${b.name} played ${at(place)}. ${a.name} ${verb} a ${t1}. ${b.name} ${verb} a ${t2}.`,
      `${cap(at(place))}, ${b.name} ${verb} a ${t2} and ${a.name} ${verb} a ${t1}.`,
    ]);
    const gold = a.name;
    const rest = pickDistinct(rng, KIDS.map((k) => k.name), 2, [a.name, b.name, c.name]);
    return { question: `${story} Who ${verb} the ${t1}?`, gold, distractors: [b.name, c.name, ...rest] };
  },

  whereWent(rng) {
    const [a, b] = kids(rng, 2);
    const [p1, p2] = pickDistinct(rng, PLACES, 2);
    const pool = PLACES.map((p) => `the ${p}`);
    if (rng() < 0.4) {
      const story = pick(rng, [
        `One sunny day, ${a.name} went to the ${p1} with Mom. ${cap(a.he)} had a lot of fun.`,
        `${a.name} put on ${a.his} hat and walked to the ${p1}. ${cap(a.he)} played there all day.`,
      ]);
      return { question: `${story} Where did ${a.name} go?`, gold: `the ${p1}`, distractors: wrong(rng, [], pool, [`the ${p1}`]) };
    }
    const askB = rng() < 0.5;
    const story = pick(rng, [
      `${a.name} went to the ${p1}. ${b.name} went to the ${p2}.`,
      `In the morning, ${a.name} ran to the ${p1} and ${b.name} walked to the ${p2}.`,
      `${a.name} wanted to go to the ${p1}, so ${a.he} went there with Dad. ${b.name} went to the ${p2} with Mom.`,
    ]);
    const who = askB ? b : a;
    const gold = `the ${askB ? p2 : p1}`;
    const near = `the ${askB ? p1 : p2}`;
    return { question: `${story} Where did ${who.name} go?`, gold, distractors: wrong(rng, [near], pool, [gold]) };
  },

  whereIsIt(rng) {
    const kid = pick(rng, KIDS);
    const toy = pick(rng, TOYS);
    const [spot] = pickDistinct(rng, SPOTS, 1);
    const place = pick(rng, PLACES.filter((p) => p !== 'house'));
    const story = pick(rng, [
      `${kid.name} put ${kid.his} ${toy} ${spot}. Then ${kid.he} went to play ${at(place)}.`,
      `${kid.name} could not find ${kid.his} ${toy}. ${cap(kid.he)} looked and looked. At last ${kid.he} found it ${spot}.`,
      `Before bed, ${kid.name} hid ${kid.his} ${toy} ${spot}. In the morning, it was still there.`,
    ]);
    return { question: `${story} Where was the ${toy}?`, gold: spot, distractors: wrong(rng, [], SPOTS, [spot]) };
  },

  feel(rng) {
    const [a, b] = kids(rng, 2);
    const [f1, f2] = pickDistinct(rng, FEELINGS, 2);
    if (rng() < 0.5) {
      const cause = fill(pick(rng, FEELING_CAUSES[f1]!), a);
      const question = `${a.name} ${cause}. ${cap(a.he)} was very ${f1}. How did ${a.name} feel?`;
      return { question, gold: f1, distractors: wrong(rng, [], FEELINGS, [f1]) };
    }
    const askB = rng() < 0.5;
    const question =
      `${a.name} ${fill(pick(rng, FEELING_CAUSES[f1]!), a)}, so ${a.he} was ${f1}. ` +
      `${b.name} ${fill(pick(rng, FEELING_CAUSES[f2]!), b)}, so ${b.he} was ${f2}. How did ${(askB ? b : a).name} feel?`;
    const gold = askB ? f2 : f1;
    return { question, gold, distractors: wrong(rng, [askB ? f1 : f2], FEELINGS, [gold]) };
  },

  giveKeep(rng) {
    const [a, b] = kids(rng, 2);
    const [t1, t2, t3, t4] = pickDistinct(rng, TOYS, 4);
    const [c1, c2, c3, c4] = pickDistinct(rng, COLOURS, 4);
    const kept = `the ${c1} ${t1}`;
    const given = `the ${c2} ${t2}`;
    const askKeep = rng() < 0.5;
    const question =
      `${a.name} had a ${c1} ${t1} and a ${c2} ${t2}. ${cap(a.he)} gave the ${t2} to ${b.name}. ` +
      (askKeep ? `What did ${a.name} keep?` : `What did ${b.name} get?`);
    const gold = askKeep ? kept : given;
    return { question, gold, distractors: [askKeep ? given : kept, `the ${c3} ${t3}`, `the ${c4} ${t4}`] };
  },

  pet(rng) {
    const [a, b] = kids(rng, 2);
    const [p1, p2] = pickDistinct(rng, PETS, 2);
    const pool = PETS.map((p) => `a ${p}`);
    if (rng() < 0.4) {
      const question = `${a.name} had a pet ${p1}. Every day, ${a.he} gave the ${p1} some food and played with it. What pet did ${a.name} have?`;
      return { question, gold: `a ${p1}`, distractors: wrong(rng, [], pool, [`a ${p1}`]) };
    }
    const askA = rng() < 0.5;
    const story = pick(rng, [
      `${a.name} had a pet ${p1}. ${b.name} had a pet ${p2}.`,
      `${a.name} and ${b.name} were friends. ${a.name} had a little ${p1} and ${b.name} had a little ${p2}. They played every day.`,
    ]);
    const gold = `a ${askA ? p1 : p2}`;
    return { question: `${story} What pet did ${(askA ? a : b).name} have?`, gold, distractors: wrong(rng, [`a ${askA ? p2 : p1}`], pool, [gold]) };
  },

  eat(rng) {
    const [a, b] = kids(rng, 2);
    const [f1, f2] = pickDistinct(rng, FOODS, 2);
    if (rng() < 0.5) {
      const question = `${a.name} was hungry. Mom gave ${a.him} ${f1}. ${cap(a.he)} ate it all up. What did ${a.name} eat?`;
      return { question, gold: f1, distractors: wrong(rng, [], FOODS, [f1]) };
    }
    const askB = rng() < 0.5;
    const question = `At lunch, ${a.name} ate ${f1} and ${b.name} ate ${f2}. What did ${(askB ? b : a).name} eat?`;
    const gold = askB ? f2 : f1;
    return { question, gold, distractors: wrong(rng, [askB ? f1 : f2], FOODS, [gold]) };
  },

  sound(rng) {
    const kid = pick(rng, KIDS);
    const animals = Object.keys(SOUNDS);
    const [x, y] = pickDistinct(rng, animals, 2);
    const sounds = Object.values(SOUNDS);
    if (rng() < 0.5) {
      const question = `${kid.name} went to the farm. ${cap(kid.he)} saw a ${x}. The ${x} said, "${cap(SOUNDS[x]!)}!" What did the ${x} say?`;
      return { question, gold: SOUNDS[x]!, distractors: wrong(rng, [], sounds, [SOUNDS[x]!]) };
    }
    const question = `${kid.name} saw a ${x} and a ${y}. The ${x} said ${SOUNDS[x]} and the ${y} said ${SOUNDS[y]}. What did the ${y} say?`;
    return { question, gold: SOUNDS[y]!, distractors: wrong(rng, [SOUNDS[x]!], sounds, [SOUNDS[y]!]) };
  },

  helper(rng) {
    const [a, b, c] = kids(rng, 3);
    const place = pick(rng, PLACES);
    const story = pick(rng, [
      `${a.name} fell down ${at(place)}. ${b.name} came and helped ${a.him} up.`,
      `${a.name} could not reach ${a.his} ball in the tree. ${b.name} was tall, so ${b.he} helped ${a.him} get it.`,
      `${a.name} and ${c.name} were ${at(place)}. ${a.name} was sad. ${b.name} came and gave ${a.him} a hug.`,
    ]);
    const rest = pickDistinct(rng, KIDS.map((k) => k.name), 2, [a.name, b.name, c.name]);
    return { question: `${story} Who helped ${a.name}?`, gold: b.name, distractors: [a.name, story.includes(c.name) ? c.name : rest[1]!, rest[0]!] };
  },

  size(rng) {
    const kid = pick(rng, KIDS);
    const [x, y] = pickDistinct(rng, ANIMALS, 2);
    const place = pick(rng, ['park', 'garden', 'forest', 'farm', 'zoo']);
    const [big, small] = pick(rng, [['big', 'little'], ['big', 'small'], ['tall', 'short'], ['fast', 'slow']] as const);
    const askSmall = rng() < 0.5;
    const question =
      `${cap(at(place))}, ${kid.name} saw a ${big} ${x} and a ${small} ${y}. ${cap(kid.he)} liked them both. ` +
      `Which animal was ${askSmall ? small : big}?`;
    const gold = `the ${askSmall ? y : x}`;
    const pool = ANIMALS.map((a) => `the ${a}`);
    return { question, gold, distractors: wrong(rng, [`the ${askSmall ? x : y}`], pool, [gold]) };
  },
};

/** Options of {@link makeStoryQa}. */
export interface MakeOptions {
  /** PRNG seed (default 260). */
  seed?: number;
  /** Records per template (default 30). */
  perTemplate?: number;
}

/**
 * Builds the records: `perTemplate` per template, interleaved, each with 3 or 4 choices (alternating where the
 * template allows 4), gold positions dealt from shuffled decks so each position is used equally often for each
 * number of choices, and no repeated question.
 * @throws Error when a template cannot produce enough distinct questions
 */
export function makeStoryQa(options: MakeOptions = {}): StoryQaRecord[] {
  const rng = createRng(options.seed ?? 260);
  const perTemplate = options.perTemplate ?? 30;
  const names = Object.keys(TEMPLATES);
  const seen = new Set<string>();
  const decks = new Map<number, number[]>();
  const deal = (n: number): number => {
    let deck = decks.get(n);
    if (deck === undefined || deck.length === 0) decks.set(n, (deck = shuffle(rng, Array.from({ length: n }, (_, i) => i))));
    return deck.pop()!;
  };
  const records: StoryQaRecord[] = [];
  for (let round = 0; round < perTemplate; round++) {
    for (const [t, name] of names.entries()) {
      let draft: Draft | undefined;
      for (let tries = 0; tries < 200 && draft === undefined; tries++) {
        const d = TEMPLATES[name]!(rng);
        if (!seen.has(d.question)) draft = d;
      }
      if (draft === undefined) throw new Error(`template ${name}: could not make a new question`);
      seen.add(draft.question);
      const n = Math.min(draft.maxChoices ?? 4, (round + t) % 2 === 0 ? 3 : 4);
      const wrongs = draft.distractors.filter((d, i, all) => d !== draft.gold && all.indexOf(d) === i).slice(0, n - 1);
      if (wrongs.length !== n - 1) throw new Error(`template ${name}: not enough distractors`);
      const gold = deal(n);
      const choices = shuffle(rng, wrongs);
      choices.splice(gold, 0, draft.gold);
      records.push({ id: `${name}-${String(round + 1).padStart(3, '0')}`, question: draft.question, choices, answer: gold });
    }
  }
  return records;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** CLI entry: writes the JSONL file and prints the record count and gold-position counts. */
export function main(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const out = resolve(arg('--out') ?? resolve(root, 'resources/demo/story-qa.jsonl'));
  const seed = arg('--seed') === undefined ? undefined : Number(arg('--seed'));
  const perTemplate = arg('--per-template') === undefined ? undefined : Number(arg('--per-template'));
  const records = makeStoryQa({ seed, perTemplate });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const gold: Record<string, number> = {};
  for (const r of records) {
    const key = `${r.choices.length} choices, gold ${r.answer}`;
    gold[key] = (gold[key] ?? 0) + 1;
  }
  const maxWords = Math.max(...records.map((r) => r.question.split(/\s+/).length));
  console.log(`wrote ${records.length} records to ${out} (longest question ${maxWords} words)`);
  for (const key of Object.keys(gold).sort()) console.log(`  ${key}: ${gold[key]}`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
