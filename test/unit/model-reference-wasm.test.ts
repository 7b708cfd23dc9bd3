import { referenceSuite } from '../helpers/reference-suite.ts';

referenceSuite('wasm');
