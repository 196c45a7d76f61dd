/**
 * The watched floor's service worker: the floor's registration (bench/floor/worker.ts) plus the
 * subresource listeners the worker adds while a panel watches, handlers that do nothing. What a
 * page pays with it is what the browser charges for every event Hopscope records with a panel open.
 */
import { subresources } from './worker.ts';

subresources.add();
