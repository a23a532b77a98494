// Where a script's instructions go inside Redis, from callgrind dumps (phase-instructions.js
// --functions): the inclusive count of a few Lua and Redis internals, summed over the dumps, as a
// share of the dumps' total. Needs a redis-server whose symbols callgrind can read (Debian's is
// stripped; bench/README.md, "Where Redis spends a script's instructions", builds one). The
// groups overlap (a string made inside redis.call's reply counts in both): each answers "how much
// would go if this went", not a partition. No group is a recursive function (a reply's nested
// arrays, the pattern matcher): callgrind's inclusive count of one counts its depths again.
const { execFileSync } = require('node:child_process');

const GROUPS = [
  ['making strings (luaS_newlstr: every byte hashed)', ['luaS_newlstr']],
  ['string.match / string.find', ['str_find_aux']],
  ['redis.call (command, arguments, reply into Lua)', ['luaRedisGenericCommand']],
  ['  of it, the commands themselves', ["call'2"]],
  ['concatenation (.. and table.concat)', ['luaV_concat', 'tconcat']],
  ['garbage collection (luaC_step)', ['luaC_step']],
  ["the script's reply to RESP", ['luaReplyToRedisReply']],
  ['number formatting (sprintf)', ['sprintf']],
];

/** Inclusive instructions per function name of one dump (callgrind_annotate --inclusive=yes). */
function inclusive(file) {
  const text = execFileSync(
    'callgrind_annotate',
    ['--inclusive=yes', '--threshold=100', '--auto=no', file],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const total = Number(/^([\d,]+) \S* *PROGRAM TOTALS/m.exec(text)?.[1].replace(/,/g, '') ?? 0);
  const byName = new Map();
  for (const m of text.matchAll(/^ *([\d,]+) \([^)]*\) +\S*?:([^\s[]+)/gm)) {
    const name = m[2];
    // a recursive function shows once per depth ('name'2): its outermost count holds the rest
    if (!byName.has(name)) byName.set(name, Number(m[1].replace(/,/g, '')));
  }
  return { total, byName };
}

/** Each group's share of the dumps' instructions (null when the binary has no symbols). */
function functionShares(files) {
  let total = 0;
  const sums = new Map(GROUPS.map(([label]) => [label, 0]));
  let named = false;
  for (const file of files) {
    const { total: t, byName } = inclusive(file);
    total += t;
    if (byName.has('luaV_execute')) named = true;
    for (const [label, names] of GROUPS)
      sums.set(label, sums.get(label) + names.reduce((s, n) => s + (byName.get(n) ?? 0), 0));
  }
  if (!named) return null;
  return GROUPS.map(([label]) => [label, total > 0 ? sums.get(label) / total : 0]);
}

function printShares(phase, shares) {
  if (shares === null) {
    console.log(`${phase}: no symbols in this redis-server (set CALLGRIND_REDIS_SERVER)`);
    return;
  }
  console.log(`${phase}:`);
  for (const [label, share] of shares)
    console.log(`  ${(share * 100).toFixed(1).padStart(5)}%  ${label}`);
}

module.exports = { functionShares, printShares };
