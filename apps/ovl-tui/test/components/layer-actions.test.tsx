// The layer actions in the app (export with a progress bar, commit, vacuum's report and
// question) against the fake service: what the keys ask of core, and what the status line says.
import React from 'react';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OvlError } from '@ovl/core';
import { App } from '../../src/ui/App.js';
import { InputGate } from '../../src/terminal/input-gate.js';
import { articleService, type FakeService } from '../support/fake-service.js';
import { KEYS, renderUi, type Rendered } from '../support/render.js';

let ui: Rendered | undefined;
afterEach(() => ui?.unmount());

function start(service: FakeService): Rendered {
  ui = renderUi(<App service={service} openEditor={() => ({ status: 0 })} gate={new InputGate()} size={{ columns: 220, rows: 30 }} />);
  return ui;
}

/** Clear a prompt's suggested text and type `text`. */
function retype(r: Rendered, suggestion: string, text: string): void {
  r.press(...Array.from({ length: suggestion.length }, () => KEYS.backspace), ...text.split(''));
}

describe('layer actions', () => {
  it('X exports to the suggested file, with a progress bar while it runs', async () => {
    const service = articleService();
    let release!: () => void;
    service.exportGate = new Promise((r) => (release = r));
    const r = start(service);
    await r.waitFor('upper.txt');
    r.press('X');
    const suggestion = resolve('fake-layer.tar');
    await r.waitFor(`export layer to: ${suggestion}`);
    r.press(KEYS.enter);
    await r.waitFor('[##########----------] 50%  50M of 100M, 1/2 entries');
    release();
    const done = await r.waitFor('Exported to');
    expect(done).toContain(`Exported to ${suggestion}: 100M, sha256:abababababab`);
    expect(service.layerCalls).toEqual([`export ${suggestion}`]);
  });

  it('V reports what vacuum found, and removes it only after y', async () => {
    const service = articleService();
    service.vacuumReport = {
      items: [
        { path: '/a', kind: 'copy-up', bytes: 3 << 20 },
        { path: '/b', kind: 'whiteout', bytes: 0 },
      ],
      bytes: 3 << 20,
      applied: false,
    };
    const r = start(service);
    await r.waitFor('upper.txt');
    r.press('V');
    await r.waitFor('Vacuum found 1 copy-up (3.0M), 1 whiteout hiding nothing. Remove them? (y/n)');
    r.press('n');
    await r.waitFor((f) => !f.includes('Remove them?'));
    expect(service.layerCalls).toEqual(['vacuum false']);
    r.press('V');
    await r.waitFor('Remove them? (y/n)');
    r.press('y');
    await r.waitFor('Vacuum removed 2 entries from the upper, 3.0M of content');
    expect(service.layerCalls).toEqual(['vacuum false', 'vacuum false', 'vacuum true']);
  });

  it('V on a clean upper says so and asks nothing', async () => {
    const service = articleService();
    const r = start(service);
    await r.waitFor('upper.txt');
    r.press('V');
    await r.waitFor('Vacuum: the upper carries nothing it does not need');
  });

  it("C commits into a new layer dir, or with 'top' into the top lower; core's refusal is shown", async () => {
    const service = articleService();
    const r = start(service);
    await r.waitFor('upper.txt');
    const suggestion = resolve('fake-committed');
    r.press('C');
    await r.waitFor(`commit into new layer dir ('top' = the top lower): ${suggestion}`);
    r.press(KEYS.enter);
    await r.waitFor(`Committed the upper into the new layer ${suggestion}`);
    r.press('C');
    await r.waitFor("('top' = the top lower)");
    retype(r, suggestion, 'top');
    r.press(KEYS.enter);
    await r.waitFor('Committed the upper into the top lower (/fake/lower)');
    expect(service.layerCalls).toEqual([`commit ${suggestion}`, 'commit top-lower']);

    service.layerFailure = new OvlError('ERR_OVL_LAYER_IN_USE', "ovl: cannot commit: upper '/fake/upper' is the upper dir of the overlay mounted on '/fake/merged'");
    r.press('C', KEYS.enter);
    await r.waitFor("commit: ovl: cannot commit: upper '/fake/upper' is the upper dir of the overlay mounted on '/fake/merged'");
  });
});
