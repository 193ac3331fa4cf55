/** The process entry point: run, then exit with the code main() chose. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
