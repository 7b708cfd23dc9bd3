/**
 * Chance level of a multiple-choice or yes/no evaluation: the expected accuracy of a uniform random guess,
 * mean over items of 1 / (number of choices). A model at or below it has learnt nothing usable on the task.
 */

/**
 * Expected accuracy of guessing uniformly among each item's choices.
 * @param choiceCounts number of choices of each item (each ≥ 1)
 * @returns a fraction in (0, 1]; null when there are no items
 * @throws Error naming the item whose count is not a positive whole number
 */
export function chanceAccuracy(choiceCounts: readonly number[]): number | null {
  if (choiceCounts.length === 0) return null;
  let sum = 0;
  choiceCounts.forEach((k, i) => {
    if (!Number.isInteger(k) || k < 1) throw new Error(`item ${i} has ${k} choices; expected a positive whole number`);
    sum += 1 / k;
  });
  return sum / choiceCounts.length;
}
