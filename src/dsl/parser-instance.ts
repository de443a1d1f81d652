import { CvrParser } from './parser.ts';

/**
 * The one parser instance. Building a chevrotain parser runs a grammar analysis that costs far
 * more than a parse, so it is built once. Its only state is the current input, which `parseCvr`
 * replaces at the start of every (synchronous) parse, so calls cannot observe each other.
 */
export const cvrParser = new CvrParser();
