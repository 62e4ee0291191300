// Entry point: loads the billing core's WebAssembly module, then opens the workspace a shared URL
// carries, else the one autosaved in this browser, else the example plan.

import { render } from 'preact';
import { init } from 'lagom-billing';
import { App } from './App';
import { defaultDesign } from './design';
import { designFromFragment, loadLocally } from './persist';
import './styles.css';

async function start() {
  const root = document.getElementById('app');
  if (!root) return;
  try {
    await init();
    const shared = await designFromFragment(window.location.hash).catch(() => null);
    if (shared) {
      // From here on the autosave holds the workspace: a reload must not go back to the shared state.
      history.replaceState(null, '', window.location.pathname + window.location.search);
    }
    root.replaceChildren();
    render(<App initial={shared ?? loadLocally() ?? defaultDesign()} />, root);
  } catch (thrown) {
    root.textContent = `The billing engine could not start: ${(thrown as Error).message}`;
  }
}

void start();
