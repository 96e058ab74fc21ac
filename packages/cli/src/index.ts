/** The `berth` command line: one lazily loaded module per subcommand. */
export { main, usage } from './main.js';
export { type Subcommand, type SubcommandModule, subcommands } from './commands.js';
