// Import and export: paste a plan as Lago's API returns it, copy the POST /plans body or a curl
// command, save the workspace to a file or open one, and share it as a URL.

import { memo } from 'preact/compat';
import { useState } from 'preact/hooks';
import type { Design } from '../design';
import { curlCommand, importLagoPlan, postPlanBody } from '../lago';
import { downloadDesign, reviveDesign, shareUrl } from '../persist';

/** Memoised: re-rendered when the design changes, not on each new preview. */
export const ExportPanel = memo(function ExportPanel({ design, onDesign }: { design: Design; onDesign: (design: Design) => void }) {
  const [pasted, setPasted] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const body = postPlanBody(design);

  const importPlan = () => {
    try {
      const { design: next, added } = importLagoPlan(pasted, design);
      onDesign(next);
      setMessage({
        ok: true,
        text: `Imported plan ${next.plan.code} with ${next.plan.charges.length} charges.${
          added.length > 0 ? ` Added billable metrics ${added.join(', ')} as counts: set their aggregation in Metrics.` : ''
        }`,
      });
    } catch (thrown) {
      setMessage({ ok: false, text: `Could not import: ${(thrown as Error).message}` });
    }
  };

  const openFile = async (files: FileList | null) => {
    const file = files?.[0];
    if (!file) return;
    try {
      onDesign(reviveDesign(JSON.parse(await file.text())));
      setMessage({ ok: true, text: `Opened ${file.name}.` });
    } catch (thrown) {
      setMessage({ ok: false, text: `Could not open ${file.name}: ${(thrown as Error).message}` });
    }
  };

  return (
    <section aria-labelledby="export-heading">
      <h2 id="export-heading">Import / export</h2>
      <div class="field">
        <label for="lago-plan">Paste a plan as Lago's GET /plans returns it</label>
        <textarea id="lago-plan" rows={8} value={pasted} onInput={(e) => setPasted(e.currentTarget.value)} placeholder='{"plan": {"code": "startup", "charges": [...]}}' />
      </div>
      <button type="button" onClick={importPlan} disabled={pasted.trim() === ''}>
        Import plan
      </button>
      {message ? (
        <p class={message.ok ? 'ok' : 'problem'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      ) : null}

      <h3>Workspace</h3>
      <div class="actions">
        <button type="button" onClick={() => downloadDesign(design)}>
          Save to file
        </button>
        <div class="field">
          <label for="open-design">Open a workspace file</label>
          <input id="open-design" type="file" accept=".json,application/json" onChange={(e) => void openFile(e.currentTarget.files)} />
        </div>
        <button
          type="button"
          onClick={async () => setUrl(await shareUrl(design))}
        >
          Share as URL
        </button>
      </div>
      {url ? (
        <div class="field">
          <label for="share-url">Link to this workspace</label>
          <input id="share-url" type="text" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
        </div>
      ) : null}
      <p class="hint">The workspace is saved in this browser as you edit (the loaded events are not).</p>

      <h3>POST /api/v1/plans</h3>
      <div class="field">
        <label for="post-body">Request body</label>
        <textarea id="post-body" rows={10} readOnly value={JSON.stringify(body, null, 2)} />
      </div>
      <div class="field">
        <label for="curl">curl</label>
        <textarea id="curl" rows={6} readOnly value={curlCommand(body)} />
      </div>
    </section>
  );
});
