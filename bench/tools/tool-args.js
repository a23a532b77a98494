// Command-line arguments of the bench tools: `--name value` pairs.

/** The value after `--name`, or `def` when it is not given. */
function arg(name, def) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : def;
}

module.exports = { arg };
