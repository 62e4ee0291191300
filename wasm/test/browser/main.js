// The page every browser check loads: it loads both entries' modules, then reports what one call to
// each answers (the eval-only entry's failure must be the main entry's LagomError).
import { evalCharge, init, LagomError } from 'lagom-billing';
import * as evalOnly from 'lagom-billing/eval';

const answer = document.getElementById('answer');

function failure(run) {
  try {
    return { output: run('not an object') };
  } catch (e) {
    return { lagomError: e instanceof LagomError, code: e.code, path: e.path, message: e.message };
  }
}

// No top-level await: Vite's default build targets do not allow it.
Promise.all([init(), evalOnly.init()]).then(
  () => {
    answer.textContent = JSON.stringify({ ...failure(evalCharge), evalOnly: failure(evalOnly.evalCharge) });
  },
  (e) => {
    answer.textContent = `init failed: ${e}`;
  },
);
