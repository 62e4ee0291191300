// The page every browser check loads: it loads the module, then reports what one call answers.
import { evalCharge, init, LagomError } from 'lagom-billing';

const answer = document.getElementById('answer');
// No top-level await: Vite's default build targets do not allow it.
init().then(
  () => {
    try {
      answer.textContent = JSON.stringify({ output: evalCharge('not an object') });
    } catch (e) {
      answer.textContent = JSON.stringify({ lagomError: e instanceof LagomError, code: e.code, path: e.path, message: e.message });
    }
  },
  (e) => {
    answer.textContent = `init failed: ${e}`;
  },
);
