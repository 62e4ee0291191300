// Helpers the consumer tests share (not a test file itself: node --test runs only *.test.mjs here).
import assert from 'node:assert/strict';

/** What `run` throws; fails the test when it returns instead. */
export function thrown(run) {
  try {
    run();
  } catch (e) {
    return e;
  }
  assert.fail('expected a throw');
}
