// Entry of a render worker thread. Workers do not inherit the parent's TypeScript loader, so
// this plain-JS file registers tsx before loading the TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./render-worker-body.ts');
