// Accuracy, through the real stack, with the lab executing the real runtime engine under pwsh: the
// demo's world and the real runtime cannot drift apart (test/support/accuracy-suite.ts).
import { accuracySuite } from '../support/accuracy-suite.ts';

accuracySuite('real runtime under pwsh', { runtime: 'pwsh' }, 2);
