// Accuracy, through the real stack, with the lab's TypeScript model answering (test/support/accuracy-suite.ts).
import { accuracySuite } from '../support/accuracy-suite.ts';

accuracySuite('lab model');
