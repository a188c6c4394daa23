export { freePort } from '../../src/demo/free-port.ts';
