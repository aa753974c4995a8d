// One measurement in its own Node process, so no timers, pools or module state leak from one
// system into the next. Usage: node child.mjs <system> <task> <database url> '<options json>'
// Prints one line "RESULT <json>" on stdout.
const [system, task, url, json] = process.argv.slice(2);
const options = JSON.parse(json ?? '{}');

const modules = {
	barnum: './barnum.mjs',
	'graphile-worker': './graphile.mjs',
	'pg-boss': './pgboss.mjs',
};

try {
	const mod = await import(modules[system]);
	const fn = mod[task];
	if (typeof fn !== 'function') throw new Error(`${system} has no task ${task}`);
	const result = await fn(url, options);
	process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
	process.exit(0);
} catch (error) {
	process.stderr.write(`${system} ${task} failed: ${error?.stack ?? error}\n`);
	process.exit(1);
}
