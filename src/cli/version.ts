/** bake's version: `bake --version`, and what client and server tell each other. */
export const VERSION = '0.1.0';
