import { it } from "node:test";
import assert from "node:assert/strict";
import { ReadBudget } from "../../src/streams/records/read-budget.js";

it("read-budget > concurrent calls share the budget equally, never below the floor or above their own maximum", () => {
  const budget = new ReadBudget(20, 3);
  assert.equal(budget.enter(10), 10, "alone, a call may read its own maximum");
  assert.equal(budget.enter(10), 10, "two share 20");
  assert.equal(budget.enter(10), 6, "three share 20");
  assert.equal(budget.enter(10), 5);
  for (let i = 0; i < 6; i++) budget.enter(10);
  assert.equal(budget.enter(10), 3, "eleven calls get the floor");
  for (let i = 0; i < 10; i++) budget.leave();
  assert.equal(budget.enter(10), 10, "after the others leave, a call gets its maximum again");
});
