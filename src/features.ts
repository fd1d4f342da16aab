/**
 * Every feature that registers API commands, imported once for its side effect (registerPlugin).
 * Tests import this file too, so the in-process app has the same commands as the runtime.
 */
import './commands/audioStreamCommand.js';
import './commands/s2sCommand.js';
