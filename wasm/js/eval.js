// The package's eval-only entry, `lagom-billing/eval`, for browsers and bundlers: the eval contracts and
// price curves over the eval-only module (./lagom_eval.js, a fraction of the full module's size), for
// pricing pages and "estimate your bill" widgets. Same glue as the main entry (./glue.js).
import * as wasm from './lagom_eval.js';
import { bind } from './glue.js';

export { LagomError } from './glue.js';
export { ABI_VERSION, loadPlugin, Plugin, PLUGIN_LIMITS } from './plugin.js';

export const { init, initSync, evalCharge, evalAggregation, billingPeriod, priceCurve } = bind(wasm);
