// `node --import test/helpers/module-log.mjs …`: logs the modules a run loads (see module-log-hooks.mjs).
import { register } from 'node:module';

register('./module-log-hooks.mjs', import.meta.url);
