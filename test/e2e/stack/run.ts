/** The stack's process helpers, where the end-to-end tests have always imported them from. */
export { delay, run, StackError, until, type RunOptions } from '../../../stack/run';
