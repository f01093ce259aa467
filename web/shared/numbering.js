/**
 * Item numbers, one way in the requester console and the worker portal: an item is named
 * by its manifest line (Item.position, 0-based), "item 3 of 6".
 */

const COUNT = new Intl.NumberFormat("en");

/** "item 3 of 6": the item at `position` among `count` items ("item 3" when the count is
 * not known). */
export function itemOf(position, count) {
  const number = `item ${COUNT.format(position + 1)}`;
  return count ? `${number} of ${COUNT.format(count)}` : number;
}

/** "Item 3 of 6" for the item of a worker's task (claimTask { item { position } job {
 * counters { total gold } } }). The count takes a gold manifest's items in, and in a job
 * with gold the server numbers a worker's items in a shuffle of all of them, so that a gold
 * item is numbered like any other (docs/tasks.md). */
export function taskItemName(task) {
  const { total, gold } = task.job.counters;
  return capitalized(itemOf(task.item.position, total + gold));
}

/** Text with its first letter capitalised: "item 3 of 6" → "Item 3 of 6". */
export function capitalized(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
